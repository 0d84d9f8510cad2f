"""Moderation: individual scores side by side, consensus, and marking a lot's results final.

`moderation_context(lot)` builds everything the lot's moderation page shows with a fixed
number of queries, so the page stays fast on a large lot (20 bids × 30 criteria × 7
evaluators); the benchmark times it and `render_moderation(lot)`.
"""
from __future__ import annotations

from decimal import Decimal

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from accounts.models import get_setting
from clock import utcnow
from audit.services import record
from evaluation import rules
from evaluation.moderation import chart
from evaluation.criteria.service import lock_model
from evaluation.models import Consensus, Criterion, Score
from evaluation.progress import LotStatus, lot_status
from evaluation.rules import Refused
from extensions import db
from procurement import lifecycle, states
from procurement.formatting import raw_score
from procurement.models import Bid, Lot


def spread_flag() -> Decimal:
    try:
        return Decimal(get_setting("spread_flag"))
    except ArithmeticError:
        return Decimal(2)


def _individual(lot: Lot, bid_id: int | None = None, with_text: bool = False):
    cols = [Score.member_id, Score.bid_id, Score.criterion_id, Score.value]
    if with_text:
        cols.append(Score.justification)
    query = select(*cols).join(Bid, Score.bid_id == Bid.id).where(
        Bid.lot_id == lot.id, Score.state == "submitted")
    if bid_id is not None:
        query = query.where(Score.bid_id == bid_id)
    return db.session.execute(query).all()


def _consensus(lot: Lot, bid_id: int | None = None) -> dict[tuple[int, int], Consensus]:
    query = select(Consensus).join(Bid, Consensus.bid_id == Bid.id).where(Bid.lot_id == lot.id)
    if bid_id is not None:
        query = query.where(Consensus.bid_id == bid_id)
    return {(c.bid_id, c.criterion_id): c for c in db.session.execute(query).scalars()}


def _rows(status: LotStatus, values: dict, consensus: dict, flag: Decimal,
          bid_ids: set[int] | None = None) -> list[dict]:
    """Per bid, per scored criterion: the members' scores in panel order, spread, consensus."""
    rows = []
    shown: dict = {}  # few distinct scores, thousands of cells: format each value once

    def show(v) -> str:
        text = shown.get(v)
        if text is None:
            text = shown[v] = raw_score(v)
        return text

    for bid_id, bidder_id, name in status.bids:
        if bid_ids is not None and bid_id not in bid_ids:
            continue
        crit_rows = []
        for c in status.scored:
            cells, got = [], []
            for m in status.members:
                if (m.id, bidder_id) in status.conflicts:
                    cells.append("Conflicted")
                    continue
                v = values.get((m.id, bid_id, c.id))
                cells.append(show(v) if v is not None else "–")
                if v is not None:
                    got.append(v)
            con = consensus.get((bid_id, c.id))
            s = rules.spread(got)
            crit_rows.append({
                "criterion": c, "cells": cells, "values": got,
                "spread": show(s) if s is not None else "–",
                "wide": rules.wide_spread(got, flag),
                "consensus": con, "consensus_text": raw_score(con.value) if con else ""})
        rows.append({"bid_id": bid_id, "bidder": name, "criteria": crit_rows,
                     "moderated": all(r["consensus"] is not None for r in crit_rows),
                     "wide": sum(r["wide"] for r in crit_rows)})
    return rows


def _chart(rows: list[dict], members: int, title: str, chart_id: str) -> Markup:
    data = [chart.Row(bidder=r["bidder"], cells=tuple(
        chart.Cell(criterion=c["criterion"].code, max_score=float(c["criterion"].max_score or 0),
                   scores=tuple(float(v) for v in c["values"]),
                   consensus=float(c["consensus"].value) if c["consensus"] else None)
        for c in r["criteria"])) for r in rows]
    desc = ("For each bid (rows) and scored criterion (columns), a dot per evaluator's "
            "individual score and a bar at the consensus score. The same figures are in the "
            "table of individual scores on this page.")
    return Markup(chart.svg(data, title=title, desc=desc, chart_id=chart_id,
                            panel_size=max(1, members)))


def moderation_context(lot: Lot) -> dict:
    status = lot_status(lot, with_values=True)
    ctx = {"lot": lot, "p": lot.procurement, "status": status, "flag": spread_flag(),
           "refusal": status.moderation_refusal, "rows": [], "chart": None,
           "final_refusal": None}
    if status.moderation_refusal:
        return ctx  # nobody sees individual scores before every one is submitted
    ctx["rows"] = _rows(status, status.values, _consensus(lot), ctx["flag"])
    ctx["chart"] = _chart(ctx["rows"], len(status.members),
                          f"Lot {lot.code}: individual scores against consensus",
                          f"chart-lot-{lot.code}")
    ctx["final_refusal"] = rules.final_refusal(
        status.missing_consensus, moderation_open=True,
        already_final=lot.results_final_at is not None)
    return ctx


def render_moderation(lot: Lot) -> str:
    """The lot's moderation page as HTML (needs an app and request context)."""
    return render_template("evaluation/moderation.html", **moderation_context(lot))


def bid_context(lot: Lot, bid: Bid) -> dict:
    status = lot_status(lot)
    ctx = {"lot": lot, "p": lot.procurement, "bid": bid, "status": status,
           "flag": spread_flag(), "refusal": status.moderation_refusal}
    if status.moderation_refusal:
        return ctx
    values, texts = {}, {}
    for m, b, c, v, j in _individual(lot, bid.id, with_text=True):
        values[(m, b, c)], texts[(m, c)] = v, j
    ctx["row"] = _rows(status, values, _consensus(lot, bid.id), ctx["flag"], {bid.id})[0]
    ctx["justifications"] = texts
    ctx["chart"] = _chart([ctx["row"]], len(status.members),
                          f"{ctx['row']['bidder']}: individual scores against consensus",
                          f"chart-bid-{bid.id}")
    return ctx


def check_consensus(criteria: list[Criterion], form: dict
                    ) -> tuple[dict[int, tuple[Decimal, str]], dict[str, str]]:
    """`consensus-<criterion id>` and `rationale-<criterion id>`; an empty row is skipped."""
    from evaluation.scoring.service import step_of

    clean, errors = {}, {}
    for c in criteria:
        text = (form.get(f"consensus-{c.id}") or "").strip()
        rationale = (form.get(f"rationale-{c.id}") or "").strip()
        if not text and not rationale:
            continue
        value, error = rules.score_error(text, c.max_score, step_of(c))
        if error:
            errors[f"consensus-{c.id}"] = f"{c.code}: {error}"
        r_error = rules.rationale_error(rationale)
        if r_error:
            errors[f"rationale-{c.id}"] = f"{c.code}: {r_error}"
        if not error and not r_error:
            clean[c.id] = (value, rationale)
    if not clean and not errors:
        errors[f"consensus-{criteria[0].id}" if criteria else "consensus"] = \
            "Enter at least one consensus score with its rationale"
    return clean, errors


def still_to_moderate(lot: Lot, bid: Bid) -> list[str]:
    """The codes of the scored criteria this bid has no consensus score for yet."""
    have = {criterion_id for _bid, criterion_id in _consensus(lot, bid.id)}
    return [c.code for c in sorted(lot.criteria, key=lambda c: (c.position, c.id))
            if c.kind == "scored" and c.id not in have]


def record_consensus(lot: Lot, bid: Bid, bidder: str, clean: dict[int, tuple[Decimal, str]],
                     moderator_id: int) -> int:
    """Record consensus scores for one bid; the caller commits."""
    if lot.results_final_at is not None:
        raise Refused("The lot's results are final: consensus scores cannot change.")
    refusal = lot_status(lot).moderation_refusal
    if refusal:
        raise Refused(refusal)
    existing = _consensus(lot, bid.id)
    codes = {c.id: c.code for c in lot.criteria}
    changed = 0
    for criterion_id, (value, rationale) in clean.items():
        row = existing.get((bid.id, criterion_id))
        where = {"lot": lot.code, "bidder": bidder, "criterion": codes[criterion_id]}
        if row is None:
            row = Consensus(bid_id=bid.id, criterion_id=criterion_id, value=value,
                            rationale=rationale, moderator_id=moderator_id)
            db.session.add(row)
            db.session.flush()
            before = None
        elif row.value == value and row.rationale == rationale:
            continue
        else:
            before = {**where, "value": row.value, "rationale": row.rationale}
            row.value, row.rationale, row.moderator_id = value, rationale, moderator_id
        record("consensus", row.id, "record", before,
               {**where, "value": value, "rationale": rationale}, procurement_ref=lot.procurement.reference)
        changed += 1
    return changed


def mark_final(lot: Lot) -> None:
    procurement = lot.procurement
    state_refusal = lifecycle.refusal(procurement.state, "finalise_results")
    if state_refusal is not None:  # before the bids are opened, there is nothing to finalise
        raise Refused(state_refusal.message)
    status = lot_status(lot)
    refusal = rules.final_refusal(status.missing_consensus,
                                  moderation_open=status.moderation_open,
                                  already_final=lot.results_final_at is not None)
    if refusal:
        raise Refused(refusal)
    if all(other.results_final_at is not None for other in procurement.lots if other is not lot):
        states.act(procurement, "finalise_results")  # the last lot: the results are final
    lot.results_final_at = utcnow().replace(microsecond=0)
    lock_model(lot, "results final")
    record("lot", lot.id, "results_final", {"results_final_at": None},
           {"lot": lot.code, "results_final_at": lot.results_final_at},
           procurement_ref=procurement.reference)

