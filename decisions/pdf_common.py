"""Shared PDF machinery for the decision note and its annexes (reportlab platypus).

Styles, the page template ("OFFICIAL" marking in header and footer, "Page N of M"),
redaction and escaping of user text, narrative parsing, yes/no question tables and
signature blocks with their invisible DocuSign anchors.

Fonts: the standard Helvetica family, whose WinAnsi encoding has "£", "–", "•" and "’".
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

REDACTED = "[REDACTED]"
PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
FRAME_W = PAGE_W - 2 * MARGIN
GRID = colors.HexColor("#7f7f7f")
SHADE = colors.HexColor("#e7ecf3")
INK = colors.HexColor("#1a1a1a")


def _style(name, **kw) -> ParagraphStyle:
    base = dict(fontName="Helvetica", fontSize=10, leading=13.2, textColor=INK, spaceAfter=5)
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES = {
    "body": _style("body"),
    "small": _style("small", fontSize=8.5, leading=10.5, spaceAfter=2),
    "cell": _style("cell", fontSize=9.5, leading=12, spaceAfter=0),
    "cellb": _style("cellb", fontName="Helvetica-Bold", fontSize=9.5, leading=12, spaceAfter=0),
    "cellc": _style("cellc", fontSize=9.5, leading=12, spaceAfter=0, alignment=TA_CENTER),
    "bullet": _style("bullet", leftIndent=16, bulletIndent=5, spaceAfter=2.5),
    "org": _style("org", fontName="Helvetica-Bold", fontSize=15, leading=18, spaceAfter=1, alignment=TA_CENTER),
    "strap": _style("strap", fontSize=9.5, leading=12, alignment=TA_CENTER, spaceAfter=8,
                    textColor=colors.HexColor("#444444")),
    "title": _style("title", fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER,
                    spaceBefore=2, spaceAfter=10),
    "h1": _style("h1", fontName="Helvetica-Bold", fontSize=12.5, leading=15, spaceBefore=10, spaceAfter=7,
                 keepWithNext=1),
    "h2": _style("h2", fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=9, spaceAfter=5,
                 keepWithNext=1),
    "h3": _style("h3", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=6, spaceAfter=4,
                 keepWithNext=1),
    "note": _style("note", fontName="Helvetica-Oblique", fontSize=9, leading=11.5,
                   textColor=colors.HexColor("#444444"), keepWithNext=1),
}


def long_date(value: date | datetime | None) -> str:
    """16 August 2023."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


class Writer:
    """Turns user text into safe Paragraph markup, redacting in the public version."""

    def __init__(self, sensitive_phrases=(), public: bool = False):
        self.public = public
        phrases = sorted({p.strip() for p in sensitive_phrases if p and p.strip()}, key=len, reverse=True)
        self._pattern = None
        if public and phrases:
            alts = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases]
            self._pattern = re.compile("|".join(alts), re.IGNORECASE)

    def redact(self, text) -> str:
        text = "" if text is None else str(text)
        return self._pattern.sub(REDACTED, text) if self._pattern else text

    def t(self, text) -> str:
        """Redacted (in public) and escaped, ready to put inside Paragraph markup."""
        return escape(self.redact(text))

    def p(self, text, style: str = "body") -> Paragraph:
        return Paragraph(self.t(text), STYLES[style])

    def cell(self, text, width: float, style: str = "cell", bold: bool = False):
        """A table cell of user text: a plain string when it fits on one line of `width`
        points less the table's padding (drawn by the table's style, without a Paragraph's
        parse and line breaking: a 50-lot note has thousands), else a Paragraph that wraps."""
        text = self.redact(text)
        font = "Helvetica-Bold" if bold else "Helvetica"
        if "\n" not in text and stringWidth(text, font, STYLES[style].fontSize) <= width - 12:
            return text
        return Paragraph(f"<b>{escape(text)}</b>" if bold else escape(text), STYLES[style])

    def markup(self, markup: str, style: str = "body") -> Paragraph:
        """A paragraph of trusted markup (labels) whose dynamic parts went through t()."""
        return Paragraph(markup, STYLES[style])

    def narrative(self, text: str | None, style: str = "body") -> list:
        """Plain text -> paragraphs; "- " lines are bullets, a lone "## " line a sub-heading."""
        out = []
        for block in re.split(r"\n\s*\n", (text or "").strip()):
            lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
            if len(lines) == 1 and lines[0].startswith("#"):
                out.append(self.p(lines[0].lstrip("#").strip(), "h3"))
                continue
            prose: list[str] = []
            in_list = False
            for line in lines:
                if line.startswith(("- ", "* ", "• ")):
                    if prose:
                        out.append(self.p(" ".join(prose), style))
                        prose = []
                    out.append(Paragraph(self.t(line[2:].strip()), STYLES["bullet"], bulletText="•"))
                    in_list = True
                else:
                    if in_list:
                        out.append(Spacer(1, 4))
                        in_list = False
                    prose.append(line)
            if prose:
                out.append(self.p(" ".join(prose), style))
            elif in_list:
                out.append(Spacer(1, 4))
        return out

    def bullets(self, items) -> list:
        out = [Paragraph(self.t(i), STYLES["bullet"], bulletText="•") for i in items]
        return out + [Spacer(1, 4)] if out else out


def table(rows, widths, *, header: bool = False, extra=(), pad: float = 4, heights=None) -> Table:
    """A ruled table; `header` shades and bolds the first row."""
    t = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("LEFTPADDING", (0, 0), (-1, -1), pad + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad + 1),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]
    t.setStyle(TableStyle(style + list(extra)))
    return t


def yes_no_table(rows, w: Writer, *, heading: str = "") -> Table:
    """Questions with a Yes and a No column; each row: (question flowables, answer or None)."""
    head = [Paragraph(heading, STYLES["cellb"]), Paragraph("<b>Yes</b>", STYLES["cellc"]),
            Paragraph("<b>No</b>", STYLES["cellc"])]
    body = []
    for cell, answer in rows:
        yes = "X" if answer is True else ""
        no = "X" if answer is False else ""
        body.append([cell, Paragraph(yes, STYLES["cellc"]), Paragraph(no, STYLES["cellc"])])
    return table([head] + body, [FRAME_W - 90, 45, 45], header=True,
                 extra=[("FONTNAME", (1, 1), (-1, -1), "Helvetica-Bold")])


def anchor(text: str) -> str:
    """Markup drawing a DocuSign anchor string in white: invisible, but extractable."""
    return f'<font color="white" size="7">{escape(text)}</font>'


def signature_block(w: Writer, title: str, signer, sig_anchor: str | None, date_anchor: str | None,
                    *, name_label: str = "Name", statement: str = "", show_comments: bool = True) -> KeepTogether:
    """Role heading, name, a signature place and a date place, kept on one page.

    Names of signatories are never redacted. When the signature is recorded, the name and
    date are shown in the places; the anchors are drawn either way so numbering is stable.
    """
    name = escape(signer.name) if signer and signer.name else ""
    signed = signer is not None and signer.signed_at is not None
    sig_cell = anchor(sig_anchor) if sig_anchor else ""
    date_cell = anchor(date_anchor) if date_anchor else ""
    if signed:
        sig_cell += f"&nbsp;Signed by <i>{name}</i>"
        date_cell += "&nbsp;" + escape(long_date(signer.signed_at))
    rows = [[Paragraph(f"<b>{escape(title)}</b>", STYLES["cell"]), ""]]
    if statement:
        rows.append([Paragraph(statement, STYLES["cell"]), ""])
    rows += [
        [Paragraph(f"<b>{name_label}</b>", STYLES["cell"]), Paragraph(name, STYLES["cell"])],
        [Paragraph("<b>Signature</b>", STYLES["cell"]), Paragraph(sig_cell, STYLES["cell"])],
        [Paragraph("<b>Date</b>", STYLES["cell"]), Paragraph(date_cell, STYLES["cell"])],
    ]
    heights = [None] * len(rows)
    heights[-2] = 34  # room to sign
    if signed and signer.comments and show_comments:
        rows.append([Paragraph("<b>Comments</b>", STYLES["cell"]), w.p(signer.comments, "cell")])
        heights.append(None)
    spans = [("SPAN", (0, 0), (1, 0)), ("BACKGROUND", (0, 0), (1, 0), SHADE)]
    if statement:
        spans.append(("SPAN", (0, 1), (1, 1)))
    t = table(rows, [110, FRAME_W - 110], extra=spans, heights=heights)
    return KeepTogether([t, Spacer(1, 8)])


def _numbered_canvas(marking: str, footer_left: str):
    class NumberedCanvas(pdfcanvas.Canvas):
        """Defers page furniture until the page count is known: "Page N of M"."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total):
            self.saveState()
            self.setFillColor(INK)
            self.setFont("Helvetica-Bold", 9)
            self.drawCentredString(PAGE_W / 2, PAGE_H - 11 * mm, marking)
            self.drawCentredString(PAGE_W / 2, 9 * mm, marking)
            self.setFont("Helvetica", 8.5)
            room = PAGE_W / 2 - MARGIN - self.stringWidth(marking, "Helvetica-Bold", 9) / 2 - 8
            left_y = 9 * mm if self.stringWidth(footer_left, "Helvetica", 8.5) <= room else 5.5 * mm
            self.drawString(MARGIN, left_y, footer_left)
            self.drawRightString(PAGE_W - MARGIN, 9 * mm, f"Page {self._pageNumber} of {total}")
            self.setStrokeColor(GRID)
            self.setLineWidth(0.4)
            self.line(MARGIN, 13 * mm, PAGE_W - MARGIN, 13 * mm)
            self.restoreState()

    return NumberedCanvas


LANG = "en-GB"  # every PDF's document language (the catalog's /Lang)


def build_pdf(flowables, *, marking: str, footer_left: str, title: str, subject: str = "") -> bytes:
    """Lays the flowables out on A4 with the marking and page numbers; returns the PDF bytes."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=title, subject=subject,
                            author="Tender", creator="Tender", lang=LANG)
    doc.build(flowables, canvasmaker=_numbered_canvas(marking, footer_left))
    return buf.getvalue()
