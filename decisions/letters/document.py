"""Letters to bidders after the award decision (SPEC §7): pure data in, PDF bytes out.

Under the Procurement Act 2023 the letter is the *assessment summary* (s.50); under the
Public Contracts Regulations 2015 it is the award decision notice of regulation 86. Both
give the bidder its scores against the winner's, the reasons, and the standstill end.
Nothing here touches the database, so the wording is tested from plain values.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from procurement.formatting import score

OUTCOMES = ("successful", "unsuccessful", "excluded", "tied")

PCR_INTRO = (
    "This letter is the notice of the award decision given under regulation 86 of the Public "
    "Contracts Regulations 2015. It sets out the criteria for the award of the contract, the "
    "score obtained by your tender and by the successful tender, the name of the successful "
    "tenderer, the reasons for the decision, including the characteristics and relative "
    "advantages of the successful tender, and when the standstill period ends."
)
PA_INTRO = (
    "This assessment summary is provided under section 50 of the Procurement Act 2023. It "
    "explains how your tender was assessed against the award criteria and how it compares with "
    "the most advantageous tender, and gives the end of the standstill period."
)


@dataclass
class LetterData:
    procurement_reference: str
    procurement_title: str
    organisation: str
    bidder: str
    lot_code: str
    lot_title: str
    outcome: str  # one of OUTCOMES
    sections: dict[str, float | None]  # this bid's weighted section scores
    total: float | None
    winner: str | None  # None when there is no winner (e.g. a tie for first place)
    winner_sections: dict[str, float | None] | None
    winner_total: float | None
    rank: int | None  # None for an excluded bid
    ranked_count: int
    # consensus rationales for this bid: plain text, or (criterion, rationale) pairs
    reasons: list[str | tuple[str, str]] = field(default_factory=list)
    exclusion_reason: str | None = None
    standstill_end: date | None = None
    regime: str = "PCR2015-OPEN"
    letter_date: date | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"Letter outcome {self.outcome!r} must be one of {', '.join(OUTCOMES)}")

    @property
    def is_pa2023(self) -> bool:
        return self.regime.strip().upper().startswith("PA2023")

    @property
    def title(self) -> str:
        return "Assessment summary" if self.is_pa2023 else "Notice of award decision"


def long_date(d: date) -> str:
    """"27 December 2024": the form letters use (no leading zero, month in words)."""
    return f"{d.day} {d:%B %Y}"


def _outcome_text(d: LetterData) -> str:
    lot = f"Lot {d.lot_code} ({d.lot_title})"
    winner = f" The successful tenderer is {d.winner}." if d.winner else ""
    if d.outcome == "successful":
        return (
            f"We are pleased to tell you that your tender for {lot} was ranked 1 out of "
            f"{d.ranked_count} and that we intend to award the contract to you."
        )
    if d.outcome == "unsuccessful":
        return (
            f"We regret to tell you that your tender for {lot} has not been successful. It was "
            f"ranked {d.rank} out of {d.ranked_count}.{winner}"
        )
    if d.outcome == "excluded":
        # An excluded bid has no rank, so none is mentioned.
        return (
            f"We regret to tell you that your tender for {lot} was excluded and has not been "
            f"evaluated further.{winner}"
        )
    # Tied: the tie-break rules (non-price score, then price) could not separate the bids.
    pending = (
        "" if d.winner else " No award decision has been made for this lot yet; we will write to "
        "you again once the tie has been resolved."
    )
    return (
        f"Your tender for {lot} achieved the same total score as another tender, and the "
        f"tie-break rules in the invitation to tender could not separate them. It is ranked "
        f"joint {d.rank} out of {d.ranked_count}.{winner}{pending}"
    )


def _score_table(d: LetterData, styles) -> Table:
    # The winner's column is left out where it would repeat the bidder's own (or there is none).
    show_winner = d.winner is not None and d.winner != d.bidder and d.winner_sections is not None
    names = list(d.sections) + [s for s in (d.winner_sections or {}) if s not in d.sections]
    header = ["Section", "Your tender"] + ([f"{d.winner} (successful)"] if show_winner else [])
    rows = [[Paragraph(escape(h), styles["Heading6"]) for h in header]]
    for name in names:
        row = [escape(name), score(d.sections.get(name))]
        if show_winner:
            row.append(score(d.winner_sections.get(name)))
        rows.append(row)
    rows.append(["Total", score(d.total)] + ([score(d.winner_total)] if show_winner else []))
    table = Table(rows, hAlign="LEFT", colWidths=[70 * mm] + [45 * mm] * (len(header) - 1))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def render_letter(data: LetterData) -> bytes:
    """The letter as an A4 PDF."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [Paragraph(escape(data.organisation), styles["Heading3"])]
    if data.letter_date:
        story.append(Paragraph(long_date(data.letter_date), body))
    story += [
        Paragraph(f"To: {escape(data.bidder)}", body),
        Paragraph(escape(data.title), styles["Title"]),
        Paragraph(
            escape(f"{data.procurement_reference}: {data.procurement_title} — Lot {data.lot_code}: {data.lot_title}"),
            styles["Heading4"],
        ),
        Paragraph(PA_INTRO if data.is_pa2023 else PCR_INTRO, body),
        Paragraph(escape(_outcome_text(data)), body),
    ]
    if data.outcome == "excluded" and data.exclusion_reason:
        story.append(Paragraph(f"<b>Reason for exclusion:</b> {escape(data.exclusion_reason)}", body))
    story += [Spacer(1, 4 * mm), Paragraph("Scores", styles["Heading4"]), _score_table(data, styles)]
    story.append(Paragraph("Weighted scores out of the lot's 100, to two decimal places.", styles["Italic"]))
    if data.reasons:
        story.append(Paragraph("Reasons", styles["Heading4"]))
        items = []
        for r in data.reasons:
            text = f"<b>{escape(r[0])}:</b> {escape(r[1])}" if isinstance(r, tuple) else escape(r)
            items.append(Paragraph(text, body))
        story.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=12))
    if data.standstill_end:
        story.append(Paragraph("Standstill", styles["Heading4"]))
        story.append(
            Paragraph(
                f"The standstill period ends at midnight on {long_date(data.standstill_end)}; "
                "the contract will not be entered into before then.",
                body,
            )
        )
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            f"If you have any questions about this letter, please contact us quoting reference "
            f"{escape(data.procurement_reference)}.",
            body,
        ),
        Paragraph(f"Yours faithfully,<br/>{escape(data.organisation)}", body),
    ]
    buf = io.BytesIO()
    # invariant=1 keeps dates and ids out of the PDF, so the same data gives the same bytes.
    doc = SimpleDocTemplate(
        buf, pagesize=A4, invariant=1, title=f"{data.title}: {data.bidder}", author=data.organisation,
        lang="en-GB",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
    )
    doc.build(story)
    return buf.getvalue()


def letter_filename(data: LetterData) -> str:
    return f"{data.procurement_reference} Lot {data.lot_code} - {data.bidder}.pdf"


def safe_name(name: str) -> str:
    # No directories or leading dots inside the archive: a bidder called "../x" stays one file.
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "-", name).strip().lstrip(".")
    return name or "letter.pdf"


def zip_letters(items: list[tuple[str, bytes]]) -> bytes:
    """A zip of (filename, content) pairs; repeated names get " (2)", " (3)" … suffixes."""
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in items:
            name = safe_name(name)
            stem, dot, ext = name.rpartition(".")
            stem, ext = (stem, dot + ext) if dot else (name, "")
            candidate, n = name, 1
            while candidate.lower() in used:
                n += 1
                candidate = f"{stem} ({n}){ext}"
            used.add(candidate.lower())
            # A fixed timestamp keeps the archive byte-for-byte reproducible.
            zf.writestr(zipfile.ZipInfo(candidate, date_time=(1980, 1, 1, 0, 0, 0)), content,
                        compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()
