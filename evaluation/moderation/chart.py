"""A small server-rendered SVG: each criterion's individual scores against the consensus.

One row per bid, one cell per scored criterion; in a cell the scale runs from 0 (bottom)
to the criterion's maximum (top), each evaluator's score is a dot and the consensus a bar.
Pure: strings in, a string out (no Flask, no ORM, no JavaScript, nothing from a CDN).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

CELL_H = 64
TOP = 28
LEFT = 150
DOT = "#1d70b8"  # GOV.UK blue
BAR = "#0b0c0c"  # GOV.UK black
GRID = "#b1b4b6"


@dataclass(frozen=True)
class Cell:
    criterion: str  # code
    max_score: float
    scores: tuple[float, ...]  # individual scores, in panel order
    consensus: float | None


@dataclass(frozen=True)
class Row:
    bidder: str
    cells: tuple[Cell, ...]


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def svg(rows: list[Row], *, title: str, desc: str, chart_id: str = "chart",
        panel_size: int = 3) -> str:
    codes = [c.criterion for c in rows[0].cells] if rows else []
    cell_w = max(48, 8 * panel_size + 16)
    width = max(LEFT + cell_w * max(1, len(codes)) + 10, LEFT + 580)  # room for the legend
    height = TOP + CELL_H * max(1, len(rows)) + 28
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="tender-chart" id="{escape(chart_id)}"'
           f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"'
           f' aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
           f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
           f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>']
    for i, code in enumerate(codes):
        x = LEFT + i * cell_w + cell_w / 2
        out.append(f'<text x="{_n(x)}" y="{TOP - 10}" text-anchor="middle" font-size="11"'
                   f' fill="{BAR}">{escape(code)}</text>')
    for r, row in enumerate(rows):
        y0 = TOP + r * CELL_H
        name = row.bidder if len(row.bidder) <= 22 else row.bidder[:21] + "…"
        out.append(f'<text x="4" y="{_n(y0 + CELL_H / 2 + 4)}" font-size="12" fill="{BAR}">'
                   f'{escape(name)}</text>')
        out.append(f'<line x1="{LEFT}" x2="{LEFT + cell_w * len(row.cells)}" y1="{y0 + CELL_H - 6}"'
                   f' y2="{y0 + CELL_H - 6}" stroke="{GRID}"/>')
        for i, cell in enumerate(row.cells):
            x0 = LEFT + i * cell_w
            top, bottom = y0 + 6, y0 + CELL_H - 6

            def y(v: float, top=top, bottom=bottom, cell=cell) -> float:
                return bottom - (bottom - top) * (v / cell.max_score if cell.max_score else 0)

            out.append(f'<line x1="{_n(x0 + 2)}" x2="{_n(x0 + 2)}" y1="{top}" y2="{bottom}"'
                       f' stroke="{GRID}"/>')
            if cell.consensus is not None:
                cy = y(cell.consensus)
                out.append(f'<rect x="{_n(x0 + 4)}" y="{_n(cy - 1.5)}" width="{cell_w - 8}"'
                           f' height="3" fill="{BAR}"/>')
            n = max(1, len(cell.scores))
            step = (cell_w - 12) / n
            for k, v in enumerate(cell.scores):
                cx = x0 + 6 + step * (k + 0.5)
                out.append(f'<circle cx="{_n(cx)}" cy="{_n(y(v))}" r="3" fill="{DOT}"/>')
    ly = height - 10
    out.append(f'<circle cx="{LEFT + 6}" cy="{ly - 4}" r="3" fill="{DOT}"/>'
               f'<text x="{LEFT + 14}" y="{ly}" font-size="11" fill="{BAR}">individual score</text>'
               f'<rect x="{LEFT + 130}" y="{ly - 5.5}" width="16" height="3" fill="{BAR}"/>'
               f'<text x="{LEFT + 152}" y="{ly}" font-size="11" fill="{BAR}">consensus</text>'
               f'<text x="{LEFT + 230}" y="{ly}" font-size="11" fill="{BAR}">'
               f'(each cell: 0 at the bottom, the maximum at the top)</text>')
    out.append("</svg>")
    return "".join(out)
