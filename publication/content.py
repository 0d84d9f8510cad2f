"""A notice's content, built from the records at the moment it is drafted, previewed or
published (no figure is typed into a notice): plain JSON values, frozen into the notice when
it is published. The public page, the PDF and the OCDS release are all drawn from it.

Money is written as exact strings ("2875221.00"), dates and times as ISO 8601: UK wall-clock
times with their offset (a date alone closes at the end of that UK day), what the system
recorded in UTC with "Z".
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import clock
from decisions.letters.service import latest_letters
from evaluation.results.inputs import procurement_results
from extensions import db
from procurement import thresholds
from procurement.bids.sealed import opened
from procurement.models import REGIMES, Procurement
from procurement.notices import periods, queries, rules
from procurement.notices.models import Notice
from procurement.selection.services import published_criteria
from procurement.standstill import standstill_end

UK = ZoneInfo("Europe/London")
SCHEMA_VERSION = 1


def money(value) -> str:
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


def utc_iso(value: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 with Z."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_iso(at: datetime | None, with_time: bool = True) -> str | None:
    """A UK wall-clock datetime (or a date: the end of it) as ISO 8601 with its offset."""
    if at is None:
        return None
    local = at if with_time else datetime.combine(at.date(), time(23, 59, 59))
    return local.replace(tzinfo=UK).isoformat(timespec="seconds")


def day_start_iso(d: date | None) -> str | None:
    """A date as the start of that UK day, ISO 8601 with its offset (OCDS wants date-times)."""
    if d is None:
        return None
    return datetime.combine(d, time(0)).replace(tzinfo=UK).isoformat(timespec="seconds")


def _date(p: Procurement, kind: str) -> dict | None:
    d = p.date_of(kind)
    if d is None:
        return None
    local = queries.uk_wall_clock(d.at, d.with_time)
    return {"at": local_iso(local, d.with_time), "has_time": bool(d.with_time),
            "date": local.date().isoformat()}


def _cpv(p: Procurement) -> list[str]:
    return [c.strip() for c in p.cpv_codes.replace(";", ",").split(",") if c.strip()]


def _threshold(p: Procurement, on: date) -> dict | None:
    try:
        a = thresholds.assess(p.regime, p.annual_total, p.initial_term_years, p.extensions, on)
    except ValueError:
        return None
    return {"above": a.above, "amount": money(a.threshold.amount), "source": a.threshold.source,
            "whole_term_value": money(a.whole_term_value)}


def _lots(p: Procurement) -> list[dict]:
    years = p.initial_term_years + sum(p.extensions)
    return [{"code": lot.code, "title": lot.title, "annual_value": money(lot.annual_value),
             "whole_term_value": money(lot.annual_value * years),
             "criteria": [{"code": c.code, "title": c.title, "section": c.section,
                           "weight": format(Decimal(c.weight).normalize(), "f"),
                           "kind": c.kind} for c in lot.criteria]}
            for lot in p.lots]


def build(p: Procurement, notice: Notice, now: datetime | None = None) -> dict:
    """The content of `notice` (of procurement `p`) as the records say now."""
    now = now or clock.utcnow()
    kind = rules.kind_of(p.regime, notice.kind)
    fam = rules.family(p.regime)
    years = p.initial_term_years + sum(p.extensions)
    content = {
        "schema": SCHEMA_VERSION,
        "notice_id": notice.id,
        "kind": notice.kind, "kind_name": kind.name if kind else notice.kind,
        "stage": kind.stage if kind else None,
        "opens_competition": bool(kind and rules.opens_competition(kind,
                                                                   notice.call_for_competition)),
        "call_for_competition": bool(notice.call_for_competition),
        "notice_type": kind.notice_type if kind else None,
        "regime": p.regime, "regime_name": REGIMES.get(p.regime, p.regime), "family": fam,
        "legal_basis": rules.LEGAL_BASIS.get(fam),
        "light_touch": rules.is_light_touch(p.regime),
        "reference": p.reference, "title": p.title, "description": p.description or "",
        "buyer": {"id": p.organisation_id, "name": p.organisation.name},
        "cpv_codes": _cpv(p), "region": p.region or "", "relates_to": p.relates_to_list,
        "term": {"initial_years": p.initial_term_years, "extension_years": p.extensions,
                 "years": years},
        "value": {"annual": money(p.annual_total), "whole_term": money(p.annual_total * years),
                  "currency": "GBP"},
        "threshold": _threshold(p, now.date()),
        "lots": _lots(p),
        "dates": {k: _date(p, k) for k in ("tender_deadline", "clarification_deadline",
                                            "contract_start") if p.date_of(k)},
        "min_delphi": p.min_delphi,
        "selection_criteria": published_criteria(p),
        "supersedes": None, "documents": [], "awards": [], "standstill": None,
        "assessment_summaries_sent": None, "contract": None,
    }
    if notice.supersedes_id:
        old = db.session.get(Notice, notice.supersedes_id)
        if old is not None:
            content["supersedes"] = {"id": old.id, "kind": old.kind,
                                     "published_at": utc_iso(old.published_at)}
    if content["opens_competition"]:
        sent_on = competition_sent_on(p, notice, now)
        earliest, basis = periods.minimum_tender_deadline(p, sent_on)
        content["minimum_period"] = {"earliest": earliest.replace(tzinfo=UK).isoformat(
            timespec="seconds") if earliest else None, "basis": basis}
        content["documents"] = [
            {"id": d.id, "title": d.title, "filename": d.filename, "type": d.file_type,
             "size": d.size, "sha256": d.sha256, "uploaded_at": utc_iso(d.uploaded_at)}
            for d in queries.current_documents(p)]
    if kind is not None and kind.stage in (rules.AWARD, rules.CONTRACT):
        content.update(_award_part(p, kind, now))
    return content


def competition_sent_on(p: Procurement, notice: Notice, now: datetime) -> date:
    """The day the period runs from: the first notice of the chain this one corrects."""
    first = notice
    seen = set()
    while first.supersedes_id and first.supersedes_id not in seen:
        seen.add(first.supersedes_id)
        older = db.session.get(Notice, first.supersedes_id)
        if older is None:
            break
        first = older
    if first is not notice and first.published_at is not None:
        return first.published_at.replace(tzinfo=timezone.utc).astimezone(UK).date()
    return now.replace(tzinfo=timezone.utc).astimezone(UK).date()


def summaries_sent(p: Procurement) -> date | None:
    """When the letters (under the Act, the assessment summaries) went to every bidder."""
    bids = [b.id for lot in p.lots for b in opened(lot.bids)]
    if not bids:
        return None
    letters = latest_letters(p)
    if any(b not in letters for b in bids):
        return None
    recorded = p.date_of("decision_letters")
    if recorded is not None:
        return recorded.local_date
    return min(letter.created_at for letter in letters.values()).date()


def _award_part(p: Procurement, kind: rules.Kind, now: datetime) -> dict:
    results = procurement_results(p)
    years = p.initial_term_years + sum(p.extensions)
    bidder_ids = {b.name: b.id for b in p.bidders}
    awards = []
    for lot, res in zip(p.lots, results):
        valid = sum(1 for b in res.bids if b.status == "ranked")
        awards.append({
            "lot": lot.code, "lot_title": lot.title,
            "status": "active" if res.winner else "unsuccessful",
            "supplier": {"bidder_id": bidder_ids.get(res.winner), "name": res.winner}
            if res.winner else None,
            "value": money(lot.annual_value * years),
            "bids_received": len(res.bids), "valid_bids": valid,
            "tied": any(b.tied for b in res.bids if b.rank == 1),
        })
    sent = summaries_sent(p)
    today = now.replace(tzinfo=timezone.utc).astimezone(UK).date()
    start = today if rules.family(p.regime) == "PA2023" else sent
    standstill = None
    if start is not None and kind.stage == rules.AWARD:
        recorded = p.date_of("standstill_end")
        standstill = {"start": start.isoformat(),
                      "end": (recorded.local_date if recorded else
                              standstill_end(p.regime, start)).isoformat()}
    part = {"awards": awards, "standstill": standstill,
            "assessment_summaries_sent": sent.isoformat() if sent else None}
    if kind.stage == rules.CONTRACT:
        start_date = p.date_of("contract_start")
        part["contract"] = {"start": queries.uk_wall_clock(start_date.at, start_date.with_time)
                            .date().isoformat() if start_date else None,
                            "years": years}
    return part
