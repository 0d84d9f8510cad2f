"""The sealed bid's pure rules: the deadline, the price and its lines, the version hash."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from procurement.bids import rules

DEADLINE = datetime(2026, 3, 1, 12, 0)


def test_received_only_before_the_deadline():
    assert rules.deadline_refusal(DEADLINE, DEADLINE - timedelta(microseconds=1)) is None
    at = rules.deadline_refusal(DEADLINE, DEADLINE)
    assert at and "deadline passed at 1 March 2026 at 12:00" in at
    assert rules.deadline_refusal(DEADLINE, DEADLINE + timedelta(seconds=1))
    assert "no tender deadline" in rules.deadline_refusal(None, DEADLINE)


def test_the_deadline_is_said_in_uk_time():
    summer = datetime(2026, 7, 1, 11, 0)  # 12:00 BST
    assert "1 July 2026 at 12:00" in rules.deadline_refusal(summer, summer)


@pytest.mark.parametrize("text,value", [
    ("125000", Decimal("125000.00")), ("£1,234.5", Decimal("1234.50")),
    (" 99.99 ", Decimal("99.99")), ("0", Decimal("0.00"))])
def test_money_is_read_in_pounds_and_pence(text, value):
    assert rules.parse_money(text) == (value, None)


@pytest.mark.parametrize("text", ["abc", "12.345", "1e5", "1.2.3", "12,3a", "NaN", "--5"])
def test_garbage_money_is_refused(text):
    value, problem = rules.parse_money(text)
    assert value is None and "pounds and pence" in problem


def test_negative_and_huge_money_is_refused():
    assert "negative" in rules.parse_money("-5")[1]
    assert "too large" in rules.parse_money("1" * 13)[1]


def test_the_price_is_needed_where_the_lot_has_a_price_criterion():
    assert rules.price_refusal("", True) == (None, "Enter your price for the lot")
    assert "greater than" in rules.price_refusal("0", True)[1]
    assert "negative" in rules.price_refusal("-1", True)[1]
    assert rules.price_refusal("10", True) == (Decimal("10.00"), None)
    assert rules.price_refusal("anything", False) == (None, None)


def test_price_lines_add_up_to_the_price_exactly():
    lines, problems = rules.price_lines([("Staff", "100000"), ("", ""), ("Rent", "25,000.00")])
    assert problems == [] and [line.amount for line in lines] == [Decimal("100000.00"),
                                                                  Decimal("25000.00")]
    assert rules.lines_sum_refusal(Decimal("125000"), lines) is None
    off = rules.lines_sum_refusal(Decimal("125000.01"), lines)
    assert "add up to £125,000.00, not the price of £125,000.01" in off
    assert rules.lines_sum_refusal(Decimal("1"), []) is None  # lines are optional
    assert "Enter the price" in rules.lines_sum_refusal(None, lines)


def test_a_price_line_needs_a_description_and_an_amount():
    _, problems = rules.price_lines([("", "10"), ("Staff", ""), ("Rent", "-3"), ("X", "ten")])
    assert problems == ["Price line 1: enter what the amount is for",
                        "Price line 2: enter the amount",
                        "Price line 3: the amount cannot be negative",
                        "Price line 4: enter the amount in pounds and pence, like 125000 or "
                        "125000.50"]


def test_the_declaration_and_documents():
    assert rules.declaration_refusal(False) and rules.declaration_refusal(True) is None
    assert "at least one" in rules.documents_refusal(0)
    assert rules.documents_refusal(1) is None
    assert rules.documents_refusal(rules.DOCUMENTS_MAX + 1)


def test_utc_iso_has_microseconds_and_z():
    assert rules.utc_iso(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000Z"
    assert rules.utc_iso(None) is None


def test_the_version_hash_is_sha256_over_the_canonical_json():
    at = datetime(2026, 1, 2, 3, 4, 5, 678901)
    args = ("REF-1", "A", "Alpha Ltd", 2, at, Decimal("125000"),
            [("Staff", Decimal("100000")), ("Rent", Decimal("25000.5"))],
            [("proposal.pdf", "ab" * 32)])
    expected = json.dumps({
        "procurement": "REF-1", "lot": "A", "bidder": "Alpha Ltd", "version": 2,
        "received_at": "2026-01-02T03:04:05.678901Z", "price": "125000.00",
        "price_lines": [{"description": "Staff", "amount": "100000.00"},
                        {"description": "Rent", "amount": "25000.50"}],
        "documents": [{"name": "proposal.pdf", "sha256": "ab" * 32}]},
        sort_keys=True, separators=(",", ":")).encode()
    assert rules.version_sha256(*args) == hashlib.sha256(expected).hexdigest()


def test_the_version_hash_changes_with_each_part():
    at = datetime(2026, 1, 2, 3, 4, 5)
    base = ["REF-1", "A", "Alpha Ltd", 1, at, Decimal("10"), [], [("a.pdf", "0" * 64)]]
    first = rules.version_sha256(*base)
    for i, other in ((3, 2), (4, at + timedelta(microseconds=1)), (5, Decimal("10.01")),
                     (5, None), (6, [("x", Decimal("10"))]), (7, [("b.pdf", "0" * 64)]),
                     (2, "Beta Ltd"), (1, "B")):
        changed = list(base)
        changed[i] = other
        assert rules.version_sha256(*changed) != first, i


def test_a_spooled_upload_is_sniffed_without_reading_it_whole(tmp_path):
    import io
    import zipfile

    from procurement.notices import filetypes

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    with open(tmp_path / "upload", "w+b") as f:
        f.write(buf.getvalue())
        f.seek(17)
        assert filetypes.sniff(f).code == "odt" and f.tell() == 0
        f.seek(0)
        f.truncate()
        f.write(b"MZ\x90\x00 an executable named .pdf")
        assert filetypes.sniff(f) is None and f.tell() == 0
    assert filetypes.sniff(b"%PDF-1.7").code == "pdf"
