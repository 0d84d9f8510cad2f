import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from decisions.letters.document import LetterData, letter_filename, render_letter, zip_letters

WINNER = "Victim Support"
WINNER_SECTIONS = {"Quality": 60.0, "Interview": 12.0, "Value for Money": 25.0}


def make(**over) -> LetterData:
    base = dict(
        procurement_reference="DA-2023-01",
        procurement_title="Domestic abuse services",
        organisation="Staffordshire Commissioner's Office",
        bidder="Example Charity & Co",
        lot_code="A",
        lot_title="Victim services",
        outcome="unsuccessful",
        sections={"Quality": 45.5, "Interview": 10.5, "Value for Money": 22.123},
        total=78.123,
        winner=WINNER,
        winner_sections=WINNER_SECTIONS,
        winner_total=97.0,
        rank=2,
        ranked_count=3,
        reasons=[("Service delivery", "Good coverage of rural areas."), "Interview answers lacked detail."],
        standstill_end=date(2024, 12, 27),
        regime="PCR2015-LTR",
        letter_date=date(2024, 12, 16),
    )
    base.update(over)
    return LetterData(**base)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


STANDSTILL = (
    "The standstill period ends at midnight on 27 December 2024; "
    "the contract will not be entered into before then."
)


def test_ranked_loser():
    t = text_of(render_letter(make()))
    assert "Notice of award decision" in t
    assert "regulation 86 of the Public Contracts Regulations 2015" in t
    assert "Example Charity & Co" in t
    assert "ranked 2 out of 3" in t
    assert "The successful tenderer is Victim Support." in t
    # bidder against winner, per section and total, two decimals
    for s in ("45.50", "10.50", "22.12", "78.12", "60.00", "12.00", "25.00", "97.00"):
        assert s in t
    assert "Victim Support (successful)" in t
    assert "Service delivery: Good coverage of rural areas." in t
    assert "Interview answers lacked detail." in t
    assert STANDSTILL in t
    assert "16 December 2024" in t


def test_winner():
    d = make(
        bidder=WINNER, outcome="successful", sections=WINNER_SECTIONS, total=97.0, rank=1, reasons=[]
    )
    t = text_of(render_letter(d))
    assert "ranked 1 out of 3" in t and "intend to award the contract to you" in t
    assert "(successful)" not in t  # no second column repeating the winner's own scores
    assert "97.00" in t and "Reasons" not in t
    assert STANDSTILL in t


def test_excluded_bid_shows_reason_and_no_rank():
    d = make(
        outcome="excluded",
        rank=None,
        sections={"Quality": 20.0},
        total=None,
        exclusion_reason="Delphi score 35 is below the minimum of 40",
        reasons=[],
    )
    t = text_of(render_letter(d))
    assert "was excluded" in t
    assert "Reason for exclusion: Delphi score 35 is below the minimum of 40" in t
    assert "rank" not in t.lower()
    assert "The successful tenderer is Victim Support." in t
    assert "20.00" in t and "97.00" in t


def test_tied_bid_without_winner():
    d = make(outcome="tied", rank=1, winner=None, winner_sections=None, winner_total=None, standstill_end=None)
    t = text_of(render_letter(d))
    assert "achieved the same total score as another tender" in t
    assert "joint 1 out of 3" in t
    assert "No award decision has been made for this lot yet" in t
    assert "ends at midnight" not in t
    assert "78.12" in t


def test_tied_bid_below_the_winner():
    t = text_of(render_letter(make(outcome="tied", rank=2)))
    assert "joint 2 out of 3" in t and "The successful tenderer is Victim Support." in t
    assert "No award decision" not in t


def test_pa2023_assessment_summary():
    t = text_of(render_letter(make(regime="PA2023-OPEN", standstill_end=date(2025, 4, 30))))
    assert t.startswith("Staffordshire Commissioner's Office")
    assert "Assessment summary" in t
    assert "section 50 of the Procurement Act 2023" in t
    assert "Notice of award decision" not in t and "regulation 86" not in t
    assert "ends at midnight on 30 April 2025" in t


def test_bad_outcome():
    with pytest.raises(ValueError, match="outcome"):
        make(outcome="won")


def test_render_is_deterministic():
    assert render_letter(make()) == render_letter(make())


def test_zip_letters():
    a, b = render_letter(make()), render_letter(make(bidder="Other"))
    name = letter_filename(make())
    assert name == "DA-2023-01 Lot A - Example Charity & Co.pdf"
    data = zip_letters([(name, a), (name, b), ("../evil/x.pdf", b"x")])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names == [name, "DA-2023-01 Lot A - Example Charity & Co (2).pdf", "-evil-x.pdf"]
        assert zf.read(names[0]) == a and zf.read(names[1]) == b
    assert zip_letters([(name, a)]) == zip_letters([(name, a)])
    with zipfile.ZipFile(io.BytesIO(zip_letters([]))) as zf:
        assert zf.namelist() == []


def test_a_letter_says_its_title_and_language():
    reader = PdfReader(io.BytesIO(render_letter(make())))
    assert reader.metadata.title and reader.trailer["/Root"]["/Lang"] == "en-GB"


# -- decisions.letters.rules: the fingerprint, "nothing new", the size of a job ----------------

def test_the_data_digest_is_the_letter_s_data():
    from decisions.letters.rules import data_digest

    assert data_digest(make()) == data_digest(make())
    assert len(data_digest(make())) == 64
    assert data_digest(make(total=78.124)) != data_digest(make())
    assert data_digest(make(standstill_end=date(2024, 12, 28))) != data_digest(make())
    assert data_digest(make(reasons=[])) != data_digest(make())
    # the sections' order is the letter's table's order: another order is another letter
    reordered = dict(reversed(list(make().sections.items())))
    assert data_digest(make(sections=reordered)) != data_digest(make())


def test_the_data_digest_refuses_what_is_not_a_letter_s_data():
    from decisions.letters.rules import data_digest

    with pytest.raises(TypeError):
        data_digest({"bidder": "x"})


def test_nothing_new_only_when_every_bid_has_that_very_letter():
    from decisions.letters.rules import nothing_new

    assert nothing_new({1: "a", 2: "b"}, {1: "a", 2: "b"})
    assert not nothing_new({1: "a", 2: "b"}, {1: "a"})  # bid 2 has no letter yet
    assert not nothing_new({1: "a", 2: "b"}, {1: "a", 2: "c"})  # bid 2's records changed
    assert not nothing_new({1: "a"}, {1: None})  # issued before digests: never "the same"
    assert not nothing_new({}, {})  # no letters to issue is not "issued already"
    assert nothing_new({1: "a"}, {1: "a", 9: "z"})  # a bid no longer planned is not asked


def test_a_large_tender_is_more_bids_than_the_setting():
    from decisions.letters.rules import is_large

    assert not is_large(200, 200) and is_large(201, 200)
    assert is_large(1, 0) and not is_large(0, 0)
