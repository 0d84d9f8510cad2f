"""Open data from the records: a procurement's release package (`ocds export`, its
`ocds.json`) and the feed of releases across procurements (`/ocds/releases.json`).

What a release carries besides its notice's frozen content is read here: the published
clarification answers (`tender.enquiries`, without the asker) and, for award notices, the
scores of the signed decision note's public version (`bids.details`): what was signed (its
frozen snapshot, checked against its hash), redacted as the public version redacts it,
published only once the note is (after any deferral). Both only ever grow: a published
answer is never changed, and the scores appear once the note is public.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import and_, or_, select

import clock
from accounts.models import get_setting
from decisions.letters.service import note_of
from decisions.note.published import FrozenRecordError, deferred_until, published_version, \
    signed_note_data
from decisions.pdf_common import Writer
from evaluation.results.ranking import evaluate, raw_scores
from evaluation.results.values import BidIn, CriterionIn, LotIn
from extensions import db
from procurement.models import Procurement
from procurement.notices import queries
from procurement.notices.models import PUBLISHED, Notice
from publication import ocds
from publication.content import utc_iso

SCORE_TOLERANCE = 1e-6


def base_url() -> str:
    return current_app.config.get("PUBLIC_URL", "http://localhost:5000").rstrip("/")


def enquiries(p: Procurement) -> list[dict]:
    """The published answers as OCDS enquiries: never the asker (`author`)."""
    out = []
    for c in queries.published_answers(p):
        item = {"id": f"clarification-{c.id}", "date": utc_iso(c.asked_at),
                "title": _title(c.public_question), "description": c.public_question,
                "answer": c.answer, "dateAnswered": utc_iso(c.published_at)}
        if c.lot is not None:
            item["relatedLot"] = c.lot.code
        out.append(item)
    return out


def _title(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= 80 else line[:79].rstrip() + "…"


# -- the public version's scores ------------------------------------------------------------

def _split(key: str) -> tuple[str, str]:
    bidder, _, code = key.rpartition("|")
    return bidder, code


def _lot_in(plain: dict) -> LotIn:
    """A lot's results-engine inputs as the note's snapshot froze them."""
    from decimal import Decimal

    criteria = [CriterionIn(code=c["code"], section=c["section"], title=c["title"],
                            weight=float(c["weight"]), kind=c["kind"],
                            max_score=None if c.get("max_score") is None else float(c["max_score"]),
                            min_score=None if c.get("min_score") is None else float(c["min_score"]))
                for c in plain["criteria"]]
    bids = [BidIn(bidder=b["bidder"],
                  price=None if b.get("price") is None else Decimal(str(b["price"])),
                  selection=b.get("selection", "pass"), delphi_score=b.get("delphi_score"),
                  financial=b.get("financial"), selection_reason=b.get("selection_reason"),
                  financial_reason=b.get("financial_reason"))
            for b in plain["bids"]]
    return LotIn(code=plain["code"], title=plain["title"], criteria=criteria, bids=bids,
                 scores={_split(k): [float(x) for x in v]
                         for k, v in (plain.get("scores") or {}).items()},
                 consensus={_split(k): float(v) for k, v in (plain.get("consensus") or {}).items()},
                 min_delphi=plain.get("min_delphi"),
                 section_minimums={k: float(v) for k, v in
                                   (plain.get("section_minimums") or {}).items()})


@dataclass
class PublicScores:
    scores: dict | None  # for ocds.ReleaseInput.scores
    withheld: dict | None  # {"until": ISO date or None} while the note's publication is deferred


def public_scores(p: Procurement, on: date | None = None) -> PublicScores:
    """Each bid's weighted scores from the public version of the signed decision note."""
    version = published_version(note_of(p))
    if version is None:
        return PublicScores(None, None)
    try:
        data = signed_note_data(version)
        inputs = [_lot_in(lot) for lot in (version.snapshot or {}).get("inputs", [])]
    except (FrozenRecordError, KeyError, TypeError, ValueError, ArithmeticError) as err:
        current_app.logger.error("No public scores for %s: %s", p.reference, err)
        return PublicScores(None, None)
    until = deferred_until(data)
    if until is not None and (on or clock.today()) < until:
        return PublicScores(None, {"until": None if until == date.max else until.isoformat()})
    writer = Writer(data.sensitive_phrases, public=True)
    totals = {(lot.code, row.bidder): row.total for lot in data.lots for row in lot.results}
    bidder_ids = {b.name: b.id for b in p.bidders}
    lots = []
    for lot_in in inputs:
        raw, moderated = raw_scores(lot_in)
        result = evaluate(lot_in, raw, moderated)
        weights = {c.code: c for c in lot_in.criteria}
        bids = []
        for b in result.bids:
            signed = totals.get((lot_in.code, b.bidder))
            if (signed is None) != (b.total is None) or \
                    (signed is not None and abs(signed - b.total) > SCORE_TOLERANCE):
                current_app.logger.error("Scores of %s lot %s do not match the signed note",
                                         p.reference, lot_in.code)
                return PublicScores(None, None)
            name = writer.redact(b.bidder)
            bids.append({
                "name": name, "redacted": name != b.bidder,
                "bidder_id": bidder_ids.get(b.bidder) if name == b.bidder else None,
                "status": b.status, "rank": b.rank, "total": _round(b.total),
                "criteria": [{"id": code, "title": writer.redact(weights[code].title),
                              "section": writer.redact(weights[code].section),
                              "weight": weights[code].weight, "weightedScore": _round(value)}
                             for code, value in b.criteria.items() if code in weights]})
        lots.append({"code": lot_in.code, "bids": bids})
    source = {"decisionNumber": data.decision_number, "version": version.version,
              "signedOn": version.completed_at.date().isoformat() if version.completed_at
              else None,
              "url": f"{base_url()}/decisions/{p.reference}"}
    return PublicScores({"lots": lots, "source": source}, None)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


# -- releases and packages ------------------------------------------------------------------

class _Extras:
    """Per procurement, read once: its enquiries and public scores."""

    def __init__(self):
        self._cache: dict[int, tuple[list[dict], PublicScores]] = {}

    def of(self, p: Procurement) -> tuple[list[dict], PublicScores]:
        if p.id not in self._cache:
            self._cache[p.id] = (enquiries(p), public_scores(p))
        return self._cache[p.id]


def release_of(notice: Notice, extras: _Extras | None = None) -> dict:
    extras = extras or _Extras()
    answers, scores = extras.of(notice.procurement)
    return ocds.release(ocds.ReleaseInput(
        ocid=notice.ocid, release_id=notice.ocds_release_id, notice_id=notice.id,
        published_at=utc_iso(notice.published_at), content=notice.content,
        base_url=base_url(), enquiries=answers, scores=scores.scores, withheld=scores.withheld))


def _published_date(releases: list[dict]) -> str:
    dates = [r["date"] for r in releases]
    for r in releases:
        dates += [e["dateAnswered"] for e in r.get("tender", {}).get("enquiries", [])]
    return max(dates) if dates else utc_iso(clock.utcnow())


def package_for(p: Procurement) -> dict | None:
    """The procurement's release package, one release per published notice, oldest first;
    None when nothing is published."""
    published = queries.published_notices(p)
    if not published:
        return None
    extras = _Extras()
    releases = [release_of(n, extras) for n in published]
    return ocds.package(releases, f"{base_url()}/opportunities/{p.reference}/ocds.json",
                        p.organisation.name, _published_date(releases))


def feed(before: tuple[str, int] | None = None, limit: int = 100) -> tuple[dict, tuple | None]:
    """A page of releases across procurements, newest first, and the cursor of the next."""
    from datetime import datetime

    query = select(Notice).where(Notice.state == PUBLISHED)
    if before is not None:
        at = datetime.fromisoformat(before[0])
        query = query.where(or_(Notice.published_at < at,
                                and_(Notice.published_at == at, Notice.id < before[1])))
    rows = list(db.session.execute(query.order_by(Notice.published_at.desc(),
                                                  Notice.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    extras = _Extras()
    releases = [release_of(n, extras) for n in rows]
    cursor = (rows[-1].published_at.isoformat(timespec="microseconds"), rows[-1].id) \
        if more and rows else None
    publisher = (get_setting("ocds_publisher") or "").strip() or "Tender"
    return ocds.package(releases, f"{base_url()}/ocds/releases.json", publisher,
                        _published_date(releases)), cursor
