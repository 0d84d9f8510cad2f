"""The rules of a sealed bid, as plain functions over plain values (no Flask, no ORM).

Each returns a refusal (a sentence for the supplier) or None; the services apply them.

The version hash (`version_sha256`) is what the receipt calls the hash of the version as a
whole: SHA-256 over the canonical JSON (`canonical_json`: keys sorted, no spaces, ASCII
escapes, UTF-8) of

    {"procurement": REF, "lot": CODE, "bidder": BIDDER NAME, "version": N,
     "received_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ",
     "price": "1234.50" or null,
     "price_lines": [{"description": …, "amount": "…"}, …]   (in the order entered),
     "documents": [{"name": …, "sha256": …}, …]               (in the order received)}

with money written with exactly two decimals. It binds the price, so a guessable price can be
found from it: until the bids are opened it is shown to the supplier only (never in the
audit trail, `tender bids` or any officer's page).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from procurement.formatting import when
from procurement.timeline import utc_to_uk

PRICE_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
LINES_MAX = 20
DESCRIPTION_MAX = 300
DOCUMENTS_MAX = 20


def deadline_refusal(deadline: datetime | None, now: datetime) -> str | None:
    """Whether a bid may be received at `now` (both naive UTC): only before the deadline."""
    if deadline is None:
        return "This procurement has no tender deadline, so it cannot receive bids"
    if now >= deadline:
        return (f"The tender deadline passed at {when(utc_to_uk(deadline))} (UK time): "
                "no bid can be received or changed after it")
    return None


def parse_money(text: str | None) -> tuple[Decimal | None, str | None]:
    """(amount, refusal): "£1,234.50" -> 1234.50. Blank is (None, None)."""
    raw = (text or "").strip().replace(",", "").replace("£", "").strip()
    if not raw:
        return None, None
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", raw):
        return None, "Enter the amount in pounds and pence, like 125000 or 125000.50"
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None, "Enter the amount in pounds and pence, like 125000 or 125000.50"
    if value < 0:
        return None, "The amount cannot be negative"
    if value > PRICE_MAX:
        return None, "The amount is too large"
    return value.quantize(Decimal("0.01")), None


def price_refusal(text: str | None, needs_price: bool) -> tuple[Decimal | None, str | None]:
    """(price, refusal) for the lot's price field; a lot without a price criterion takes none."""
    if not needs_price:
        return None, None
    value, problem = parse_money(text)
    if problem:
        return None, problem.replace("the amount", "the price").replace("The amount",
                                                                        "The price")
    if value is None:
        return None, "Enter your price for the lot"
    if value == 0:
        return None, "Enter a price greater than £0"
    return value, None


@dataclass(frozen=True)
class PriceLine:
    description: str
    amount: Decimal


def price_lines(rows: list[tuple[str, str]]) -> tuple[list[PriceLine], list[str]]:
    """The itemised lines entered (description, amount text); blank rows are left out.
    Returns (lines, problems)."""
    lines, problems = [], []
    for number, (description, amount_text) in enumerate(rows, 1):
        description = (description or "").strip()
        if not description and not (amount_text or "").strip():
            continue
        amount, problem = parse_money(amount_text)
        if not description:
            problems.append(f"Price line {number}: enter what the amount is for")
        elif len(description) > DESCRIPTION_MAX:
            problems.append(f"Price line {number}: shorten the description to "
                            f"{DESCRIPTION_MAX} characters or fewer")
        if problem:
            problems.append(f"Price line {number}: {problem[0].lower()}{problem[1:]}")
        elif amount is None:
            problems.append(f"Price line {number}: enter the amount")
        if description and amount is not None and not problem:
            lines.append(PriceLine(description, amount))
    if len(lines) > LINES_MAX:
        problems.append(f"Enter at most {LINES_MAX} price lines")
    return lines, problems


def lines_sum_refusal(price: Decimal | None, lines: list[PriceLine]) -> str | None:
    """Itemised lines are optional; where there are any they add up to the price exactly."""
    if not lines:
        return None
    total = sum((line.amount for line in lines), Decimal("0"))
    if price is None:
        return "Enter the price the lines add up to"
    if total != price:
        return (f"The price lines add up to £{total:,.2f}, not the price of £{price:,.2f}: "
                "correct a line or the price")
    return None


def declaration_refusal(declared: bool) -> str | None:
    if not declared:
        return ("Confirm the declaration: that the bid is complete and that you may submit it "
                "for your organisation")
    return None


def documents_refusal(count: int) -> str | None:
    if count == 0:
        return "Choose at least one document to upload"
    if count > DOCUMENTS_MAX:
        return f"A bid may have at most {DOCUMENTS_MAX} documents"
    return None


def utc_iso(moment: datetime | None) -> str | None:
    """Naive UTC as ISO 8601 with microseconds and Z: 2026-12-02T04:19:11.123456Z."""
    if moment is None:
        return None
    return moment.isoformat(timespec="microseconds") + "Z"


def uk_text(moment: datetime | None) -> str:
    """Naive UTC as the UK time to the second: 2 December 2026, 04:19:11 GMT."""
    if moment is None:
        return ""
    uk = utc_to_uk(moment)
    return f"{uk.day} {uk:%B %Y}, {uk:%H:%M:%S} {uk.tzname()}"


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True
                      ).encode("utf-8")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01')):f}"


def version_document(reference: str, lot: str, bidder: str, version: int,
                     received_at: datetime, price: Decimal | None,
                     lines: list[tuple[str, Decimal]],
                     documents: list[tuple[str, str]]) -> dict:
    """What the version hash is taken over (see the module's docstring)."""
    return {"procurement": reference, "lot": lot, "bidder": bidder, "version": version,
            "received_at": utc_iso(received_at), "price": _money(price),
            "price_lines": [{"description": d, "amount": _money(a)} for d, a in lines],
            "documents": [{"name": n, "sha256": h} for n, h in documents]}


def version_sha256(*args, **kwargs) -> str:
    return hashlib.sha256(canonical_json(version_document(*args, **kwargs))).hexdigest()
