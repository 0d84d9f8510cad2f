"""The reference tender (tests/data/staffordshire-da-2023.xlsx) as the set-up pages enter it,
and what its decision note's figures are: shared by the HTTP round trip and the Chromium test.

Bids are not yet submitted in the browser (suppliers' bids are issue 3's), so the tests record
the workbook's three bids as received outside Tender; the panel's scores and consensus are
uploaded through the officer's upload page, as a panel working in Excel would."""
from __future__ import annotations

import io
import os
import tempfile
from decimal import Decimal
from pathlib import Path

WORKBOOK = Path(__file__).resolve().parent / "data" / "staffordshire-da-2023.xlsx"
# What the workbook does not carry but the set-up asks for.
DETAILS = {"description": "Pan-Staffordshire domestic abuse victim and perpetrator services.",
           "cpv_codes": "85300000-2, 75241000-7", "region": "West Midlands",
           "buyer_kind": "sub_central", "two_person_opening": "no"}
EVENTS = (("23", "9", "2022", "Stakeholder engagement event", "partner agencies"),
          ("30", "9", "2022", "Market engagement event", "prospective providers"))


def parsed():
    from interchange.workbook_file import read_workbook

    tender, errors = read_workbook(WORKBOOK)
    assert not errors, errors
    return tender


def money_text(value: Decimal) -> str:
    """As an officer types it: 2,875,221 or 1,859,195.76."""
    return f"{value:,.2f}".removesuffix(".00")


def number_text(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def criterion_form(c) -> dict:
    return {"code": c.code, "section": c.section, "title": c.title, "weight": number_text(c.weight),
            "kind": c.kind, "max_score": number_text(c.max_score) if c.max_score is not None else "",
            "min_score": number_text(c.min_score) if c.min_score is not None else "",
            "descriptors": ""}


def record_bids(reference: str) -> None:
    """The workbook's bids, as received outside Tender (the caller has an app context)."""
    from sqlalchemy import select

    from extensions import db
    from procurement.models import Bid, Bidder, Procurement

    tender = parsed()
    p = db.session.execute(select(Procurement).where(Procurement.reference == reference)).scalar_one()
    lots = {lot.code: lot for lot in p.lots}
    bidders = {}
    for row in tender.bids:
        if row.bidder not in bidders:
            bidders[row.bidder] = Bidder(name=row.bidder)
            p.bidders.append(bidders[row.bidder])
        lots[row.lot].bids.append(Bid(bidder=bidders[row.bidder], price=row.price,
                                      selection=row.selection, delphi_score=row.delphi_score,
                                      financial=row.financial, state="opened"))
    db.session.commit()


def scores_workbook(names: dict[str, str]) -> bytes:
    """The workbook's Scores and Consensus sheets, its panel members renamed to `names`."""
    from interchange.workbook_file import write_workbook

    tender = parsed()
    tender.scores = [s._replace(evaluator=names[s.evaluator]) for s in tender.scores]
    with tempfile.TemporaryDirectory(prefix="tender-scores-") as folder:
        path = os.path.join(folder, "scores.xlsx")
        write_workbook(tender, path)
        return Path(path).read_bytes()


def import_reference(reference: str = "SCO-DA-2023"):
    """`tender import` of the reference workbook (the caller has an app context)."""
    from interchange.importer import import_tender

    tender = parsed()
    tender.reference = reference
    return import_tender(tender, actor="system")


def results(procurement) -> list:
    """Every lot's bids as (bidder, status, rank, total, sections), to compare."""
    from evaluation.results.inputs import procurement_results

    return [(lot.code, [(b.bidder, b.status, b.rank, round(b.total or 0, 9),
                         {k: round(v, 9) for k, v in b.sections.items()}) for b in lot.bids])
            for lot in procurement_results(procurement)]


def note_figures(procurement) -> dict:
    """Every figure the decision note draws from the records (narrative aside)."""
    from decisions.note.builder import build_note_data

    d = build_note_data(procurement)
    return {
        "title": d.title, "organisation": d.organisation, "relates_to": d.relates_to,
        "regime": (d.regime.code, d.regime.label), "above_threshold": d.above_threshold,
        "threshold": d.threshold, "whole_term_value": d.whole_term_value,
        "itt_published": d.itt_published, "tender_deadline": d.tender_deadline,
        "contract_start": d.contract_start, "term": (d.term_initial_years, d.term_extensions),
        "partners": [(x.name, x.annual_contribution) for x in d.partners],
        "lots": [(lot.code, lot.title, lot.annual_value, lot.bids_received, lot.sections,
                  lot.winner, [(r.bidder, r.status, r.rank, round(r.total or 0, 9),
                                {k: round(v, 9) for k, v in r.sections.items()})
                               for r in lot.results]) for lot in d.lots],
        "selection": [(s.bidder, s.passed, s.reason, s.delphi_score, s.lots) for s in d.selection],
    }


def workbook_stream(data: bytes):
    return io.BytesIO(data)
