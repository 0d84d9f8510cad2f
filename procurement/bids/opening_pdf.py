"""The opening register as a PDF (reportlab): every bid with its time of receipt and hashes."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11.5)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
HASH = ParagraphStyle("hash", parent=BODY, fontName="Courier", fontSize=7, leading=9)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18,
                       spaceAfter=6)


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text or "")), style)


def _when(moment, zone: str) -> str:
    return f"{moment:%d %B %Y %H:%M:%S} {zone}" if moment is not None else ""


def render_register(procurement, opening, lines, opened_by: str, confirmed_by: str | None,
                    ) -> bytes:
    buf = io.BytesIO()
    title = f"Opening register – {procurement.reference}"
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                            title=title, author="Tender", creator="Tender", lang="en-GB",
                            subject=procurement.title)
    story = [_p(title, TITLE), _p(procurement.title),
             _p(f"Opened {_when(opening.opened_at, 'UTC')} by {opened_by}"
                + (f", confirmed by {confirmed_by}" if confirmed_by else "")),
             _p("Register sha256:" + (opening.register_sha256 or "")), Spacer(1, 4 * mm)]
    rows = [[_p(h, BOLD) for h in ("Lot", "Bidder", "Version", "Received (UTC)",
                                   "Received (UK time)", "State", "sha256")]]
    for ln in lines:
        hashes = [_p(f"version sha256:{ln.sha256 or ''}", HASH)]
        hashes += [_p(f"{name} sha256:{digest}", HASH) for name, digest in ln.documents]
        rows.append([_p(ln.lot), _p(ln.bidder), _p(ln.version),
                     _p(_when(ln.received_at, "UTC")),
                     _p(_when(ln.received_uk, ln.received_uk.tzname() if ln.received_uk else "")),
                     _p(ln.state), hashes])
    if not lines:
        rows.append([_p("No bid was submitted in Tender."), "", "", "", "", "", ""])
    widths = [14 * mm, 45 * mm, 16 * mm, 38 * mm, 38 * mm, 20 * mm, 96 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7ecf3"))]))
    story.append(table)
    doc.build(story)
    return buf.getvalue()
