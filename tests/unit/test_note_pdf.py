"""The decision note PDF: reference layout, figures, anchors, redaction, annexes and pack."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from decisions.note.data import OFFICIAL_SENSITIVE, Regime, ResultRow, SelectionOutcome, date_anchor, signature_anchor
from demo.note_sample import LOSING_BIDDER, demo_note_data
from decisions.note.pdf import annex_pdfs, build_pack, render_dpia, render_eia, render_note, render_pack
from decisions.pdf_common import Writer

REFERENCE_ORDER = [
    "REQUEST FOR DECISION BY THE STAFFORDSHIRE COMMISSIONER",
    "This decision relates to:",
    "APPROVAL (for completion by Staffordshire Commissioner only)",
    "Rationale for approval",
    "For completion by Staffordshire Commissioner's Office only",
    "Decision Number SCP/D/202324/007",
    "Date Received 16 August 2023",
    "Decision Making Policy?",
    "Key Decision",
    "Who is empowered to make the required decision?",
    "Title",
    "Summary:",
    "Recommendation:",
    "Chief Executive",
    "I hereby approve the recommendation for consideration.",
    "REPORT AND ADVICE TO THE STAFFORDSHIRE COMMISSIONER",
    "1. Introduction and background",
    "Financial",
    "Contract Award",
    "2. Issues for consideration",
    "Tender Stage",
    "All bidders met the requirements.",
    "Outcome of evaluation",
    "Lot A – DA Victim Services",
    "Lot B – DA Perpetrator Services",
    "3. What other options have been considered?",
    "4. Consultation and engagement undertaken",
    "5. Monitoring Officer comments:",
    "6. Section 151 Officer comments:",
    "7. Has legal advice",
    "8. Equality comments",
    "9. Background/supporting papers",
    "10. Public access to information?",
    "11. Does this decision involve the processing of personal data?",
    "12. Is the publication of this form to be deferred?",
    "13. Does this form contain commercial or operationally sensitive information",
    "14. ORIGINATING OFFICER DECLARATION:",
]


def pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return " ".join(pages(pdf))


@pytest.fixture(scope="module")
def data():
    return demo_note_data()


@pytest.fixture(scope="module")
def note(data):
    return render_note(data)


@pytest.fixture(scope="module")
def note_text(note):
    return text(note)


@pytest.fixture(scope="module")
def public_text(data):
    return text(render_note(data, public=True))


def one_page_pdf(line: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_sections_in_reference_order(note_text):
    pos = 0
    for heading in REFERENCE_ORDER:
        found = note_text.find(heading, pos)
        assert found >= 0, f"{heading!r} missing or out of order (after position {pos})"
        pos = found + len(heading)


def test_figures_come_from_the_data_and_are_formatted(note_text):
    for figure in ("£3,375,221", "£2,875,221", "£500,000", "£1,859,195.76", "£895,000", "£621,025.24",
                   "3 + 1 + 1 years", "£16,876,105", "£663,540", "97.00", "95.50", "64.00", "10.50"):
        assert figure in note_text, figure
    assert ("The overall result for Lot A resulted in Victim Support being the winning bidder, "
            "with a total evaluated score of 97.00%") in note_text
    assert "with a total evaluated score of 95.50%" in note_text
    assert "Value for Money Weighted %" in note_text and "Presentation Weighted %" in note_text
    assert "1 February 2023" in note_text and "28 March 2023" in note_text
    assert "one (1) submission for Lot A and two (2) submissions for Lot B" in note_text


def test_figures_follow_the_data_not_the_template(data):
    changed = demo_note_data()
    changed.lots[0].annual_value = Decimal("2875221.50")
    changed.lots[0].results[0].total = 96.125
    t = text(render_note(changed))
    assert "£3,375,221.50" in t and "£2,875,221.50" in t and "96.13" in t
    assert "£3,375,221 " not in t


def test_each_anchor_appears_exactly_once(note_text, data):
    assert len(data.signers) == 5
    for n in range(1, 6):
        assert note_text.count(signature_anchor(n)) == 1, n
        assert note_text.count(date_anchor(n)) == 1, n
    assert signature_anchor(6) not in note_text


def test_anchors_follow_routing_order_and_are_drawn_white(note):
    """\\s5\\ is the Commissioner's (routing order 5) on page 1; anchors are the only white text."""
    first = pages(note)[0]
    assert signature_anchor(5) in first and date_anchor(5) in first
    white, other = [], []
    for page in PdfReader(io.BytesIO(note)).pages:
        colour = [(0, 0, 0)]

        def before(op, args, cm, tm):
            if op == b"rg":
                colour[0] = tuple(round(float(a), 3) for a in args)
            elif op == b"g":
                colour[0] = (round(float(args[0]), 3),) * 3

        def visit(t, cm, tm, font, size):
            if t.strip():
                (white if colour[0] == (1, 1, 1) else other).append(t.strip())

        page.extract_text(visitor_operand_before=before, visitor_text=visit)
    anchors = [signature_anchor(n) for n in range(1, 6)] + [date_anchor(n) for n in range(1, 6)]
    assert sorted(white) == sorted(anchors)
    assert not any("\\s" in t or "\\d" in t for t in other)


def test_page_numbering_and_marking(note):
    texts = pages(note)
    assert len(texts) >= 4
    for i, t in enumerate(texts, 1):
        assert f"Page {i} of {len(texts)}" in t
        assert "OFFICIAL" in t


def test_marking_as_set():
    d = demo_note_data()
    d.marking = OFFICIAL_SENSITIVE
    for t in pages(render_note(d)):
        assert "OFFICIAL-SENSITIVE" in t


def test_public_version_redacts_in_the_text_drawn(note_text, public_text):
    assert LOSING_BIDDER in note_text
    assert LOSING_BIDDER not in public_text
    assert "Northfield" not in public_text
    assert "[REDACTED]" in public_text
    assert "public version" in public_text
    assert "OFFICIAL" in public_text
    for name in ("Alex Morgan", "Sam Patel", "Ruth Okafor", "Chris Lowe", "Jordan Ellis"):
        assert name in public_text
    assert "97.00" in public_text and "64.00" in public_text


def test_redaction_reaches_narrative_tables_and_annexes_but_not_signatories():
    d = demo_note_data()
    d.sensitive_phrases = ["earmarked   reserves", "Ruth Okafor", "self-defined ethnicity", "victim support pathways"]
    d.narrative["s151_comments"] += " Ruth Okafor agreed."
    public = text(render_pack(d, public=True))
    assert "earmarked reserves" not in public and "self-defined ethnicity" not in public
    assert "victim support pathways" not in public.lower()
    assert "Ruth Okafor agreed" not in public
    assert "Ruth Okafor" in public  # her signature block keeps her name
    draft = text(render_pack(d))
    assert "earmarked reserves" in draft and "self-defined ethnicity" in draft


def test_excluded_bids_are_listed_with_the_reason():
    d = demo_note_data()
    d.lots[1].results.append(ResultRow("Late Entry Ltd", {"Value for Money": None, "Presentation": None}, None,
                                       status="excluded", reason="Commercial Delphi score 12 below the minimum 30"))
    d.selection.append(SelectionOutcome("Late Entry Ltd", False, "Commercial Delphi score 12 below the minimum 30",
                                        lots=["B"]))
    t = text(render_note(d))
    assert "Late Entry Ltd – excluded: Commercial Delphi score 12 below the minimum 30" in t
    assert "All bidders met the requirements." not in t
    assert "Late Entry Ltd (Lot B) – did not meet the requirements: Commercial Delphi score 12" in t


def test_recorded_signature_shows_name_and_date():
    d = demo_note_data()
    mo = d.signer("monitoring_officer")
    mo.signed_at = date(2023, 8, 17)
    t = text(render_note(d))
    assert "Signed by Ruth Okafor" in t
    assert "17 August 2023" in t
    assert t.count("Signed by") == 1


def test_below_threshold_and_unassigned_number():
    d = demo_note_data()
    d.above_threshold, d.threshold, d.decision_number = False, Decimal("20000000"), None
    d.regime = Regime("PA2023-OPEN", "Procurement Act 2023, open procedure")
    t = text(render_note(d))
    assert "is below the threshold of £20,000,000, so a below-threshold tender" in t
    assert "Procurement Act 2023, open procedure (PA2023-OPEN)" in t
    assert "Not yet assigned" in t


def test_user_text_is_escaped():
    d = demo_note_data()
    d.narrative["summary"] = "Costs <b>rose</b> & fell < 5%\n\n- first & only"
    t = text(render_note(d))
    assert "Costs <b>rose</b> & fell < 5%" in t and "first & only" in t


def test_narrative_paragraphs_bullets_and_subheadings():
    out = Writer().narrative("One\nline\n\n## Head\n\n- a\n- b\nafter")
    kinds = [(type(f).__name__, getattr(f, "text", None)) for f in out]
    assert kinds[0] == ("Paragraph", "One line")
    assert kinds[1] == ("Paragraph", "Head") and out[1].style.name == "h3"
    assert [k for k in kinds if k[0] == "Paragraph"][2:] == [("Paragraph", "a"), ("Paragraph", "b"),
                                                             ("Paragraph", "after")]


def test_annexes_follow_the_reference_sections(data):
    eia = text(render_eia(data.eia, data))
    pos = 0
    for heading in ("Equality Impact Assessment", "Title of policy/procedure:", "Department:", "Date:",
                    "1. Identify the aims", "2. Identify the individuals", "3. Data", "3.1 Age",
                    "3.7 Transgender", "4. Research", "4.2 Disability", "5. Consultation", "6. Conclusions",
                    "6.5 Sex", "7. Decisions", "8. Monitoring arrangements"):
        pos = eia.index(heading, pos)
    dpia = text(render_dpia(data.dpia, data))
    pos = 0
    for heading in ("Data Protection Impact Assessment", "Version", "Section 1 – Discussion",
                    "Section 2 – Purpose, Scope and Context", "Specific aim and purpose",
                    "What categories of personal data", "2.3 Will special category data", "[X] Ethnic origin",
                    "2.10.1", "2.10.5", "[X] Yes – agreements in place", "Section 3 – Lawful Basis",
                    "Section 4 – Review, Retention and Disposal", "Section 5 – ICO: Additional Factors",
                    "5.1", "5.11", "Victim data is covered", "5.14", "DPO Summary"):
        pos = dpia.index(heading, pos)
    assert "OFFICIAL-SENSITIVE" in dpia


def test_pack_is_note_then_annexes(data, note):
    annexes = annex_pdfs(data)
    assert len(annexes) == 2
    pack = build_pack(note, annexes)
    count = lambda pdf: len(PdfReader(io.BytesIO(pdf)).pages)  # noqa: E731
    assert count(pack) == count(note) + sum(count(a) for a in annexes)
    texts = pages(pack)
    assert "REQUEST FOR DECISION" in texts[0]
    assert "Equality Impact Assessment" in texts[count(note)]
    assert "Data Protection Impact Assessment" in texts[count(note) + count(annexes[0])]


def test_uploaded_pdf_annex_is_used_as_is():
    d = demo_note_data()
    uploaded = one_page_pdf("Uploaded EIA signed by the equality lead 0xC0FFEE")
    d.eia = uploaded
    annexes = annex_pdfs(d)
    assert annexes[0] == uploaded
    note = render_note(d)
    pack = build_pack(note, annexes)
    n = len(PdfReader(io.BytesIO(note)).pages)
    dpia_pages = len(PdfReader(io.BytesIO(annexes[1])).pages)
    texts = pages(pack)
    assert len(texts) == n + 1 + dpia_pages
    assert texts[n] == "Uploaded EIA signed by the equality lead 0xC0FFEE"
    assert "Attached" in text(note)


def test_render_with_annexes_builds_one_pack(data):
    """(Its speed is `make bench`'s to measure.)"""
    note, annexes = render_note(data), annex_pdfs(data)
    pack = build_pack(note, annexes)
    count = sum(len(PdfReader(io.BytesIO(p)).pages) for p in [note, *annexes])
    assert len(PdfReader(io.BytesIO(pack)).pages) == count


def test_annex_dates_stored_as_iso_text_are_drawn_long():
    from decisions.annexes.pdf import _when
    assert _when("2022-12-06") == "6 December 2022"
    assert _when("6/12/22") == "6/12/22"  # free text stays as written


def test_engagement_events_are_listed_once_in_the_consultation_section(note_text, data):
    """Issue 11: the demo note printed its event list twice (in section 2 and in section 4).
    The events feed the consultation section; section 2 keeps the notices only."""
    assert note_text.count("Engagement events held:") == 1
    line = "23 September 2022 – Stakeholder engagement event (attendees: partner agencies)"
    assert note_text.count(line) == 1
    consultation = note_text.index("4. Consultation and engagement undertaken")
    assert consultation < note_text.index(line) < note_text.index("5. Monitoring Officer comments:")
    assert note_text.index("Engagement events held:") > consultation


def test_the_evaluation_headings_travel_with_the_first_lots_table(data):
    from reportlab.platypus import KeepTogether

    from decisions.note.pdf import _Note
    note = _Note(data, False)
    note.evaluation()
    first = note.story[0]
    assert isinstance(first, KeepTogether)
    texts = [getattr(f, "text", "") for f in first._content]
    assert texts[:2] == ["Evaluation", "Outcome of evaluation"]


def test_every_pdf_says_its_title_and_language(data):
    for pdf in (render_note(data), render_pack(data), render_pack(data, public=True),
                *annex_pdfs(data)):
        reader = PdfReader(io.BytesIO(pdf))
        assert reader.metadata.title, "a PDF without a title"
        assert reader.trailer["/Root"]["/Lang"] == "en-GB"



def test_a_cell_is_a_plain_string_when_it_fits_and_a_paragraph_when_it_wraps():
    from reportlab.platypus import Paragraph

    from decisions.pdf_common import Writer

    w = Writer()
    assert w.cell("Victim Support", 200) == "Victim Support"
    long = "Northfield Change Partnership Community Interest Company of the Midlands"
    wrapped = w.cell(long, 120)
    assert isinstance(wrapped, Paragraph) and long in wrapped.text
    assert isinstance(w.cell("A & B <Ltd>", 30), Paragraph)
    assert w.cell("A & B <Ltd>", 30).text == "A &amp; B &lt;Ltd&gt;"  # escaped as markup
    bold = w.cell("Disqualified at selection", 70, "cellc", bold=True)
    assert isinstance(bold, Paragraph) and bold.text.startswith("<b>")


def test_a_cell_of_the_public_version_is_redacted_string_or_paragraph():
    from decisions.pdf_common import REDACTED, Writer

    w = Writer(["Victim Support"], public=True)
    assert w.cell("Victim Support", 200) == REDACTED
    assert "Victim Support" not in w.cell("Victim Support and a partner with a long name", 60).text
