"""Drafting and publishing notices: the rules of `procurement.notices.rules` over the facts
the records hold, the lifecycle act a notice does, and what publishing freezes.

Publishing, in one transaction: the checks (every reason is given, nothing changes on a
refusal), the content built from the records and frozen with its SHA-256, the PDF drawn and
kept with its SHA-256, the OCDS release id, the lifecycle act (`states.act`), the key date
it fixes when none is recorded, and the audit record. The database's partial unique
indexes keep one original published notice of a kind and one correction of each, even when
two workers publish at once.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import clock
from accounts.models import DEFAULT_SETTINGS, get_setting
from audit.chain import canonical
from audit.services import current_actor, record
from extensions import db
from procurement import lifecycle, states
from procurement.models import Procurement, TimelineDate
from procurement.notices import periods, queries, rules
from procurement.notices.models import DRAFT, PUBLISHED, Notice
from publication import content as builder
from publication.pdf import render_notice

# the key date a published notice fixes, when the procurement has none recorded
DATE_OF_STAGE = {rules.PLANNING: "pin", rules.TENDER: "itt_published",
                 rules.AWARD: "award_notice"}


def sha256_content(value: dict) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def ocds_prefix() -> str:
    prefix = (get_setting("ocds_prefix") or "").strip()
    return prefix if prefix.startswith("ocds-") and len(prefix) > 5 else \
        DEFAULT_SETTINGS["ocds_prefix"]


def ocid_of(p: Procurement) -> str:
    """The procurement's ocid: that of its first published notice, else prefix-REF."""
    first = db.session.execute(select(Notice.ocid).where(
        Notice.procurement_id == p.id, Notice.state == PUBLISHED, Notice.ocid.is_not(None))
        .order_by(Notice.published_at, Notice.id).limit(1)).scalar()
    return first or f"{ocds_prefix()}-{p.reference}"


def notice_of(p: Procurement, notice_id: int) -> Notice | None:
    n = db.session.get(Notice, notice_id)
    return n if n is not None and n.procurement_id == p.id else None


def draft(p: Procurement, kind: str, supersedes_id: int | None = None,
          call_for_competition: bool = False, actor: str | None = None
          ) -> tuple[Notice | None, str | None]:
    """(the new draft, None) or (None, why not). The caller commits."""
    facts = {n.id: n for n in queries.facts(queries.published_notices(p))}
    supersedes = facts.get(supersedes_id) if supersedes_id else None
    refusal = rules.draft_refusal(p.regime, kind, supersedes, supersedes_id,
                                  call_for_competition)
    if refusal:
        return None, refusal
    notice = Notice(procurement_id=p.id, kind=kind, state=DRAFT, supersedes_id=supersedes_id,
                    call_for_competition=call_for_competition, created_at=clock.utcnow(),
                    created_by=actor or current_actor())
    db.session.add(notice)
    db.session.flush()
    record("notice", f"{p.reference}/{notice.id}", "draft", None,
           {"kind": kind, "supersedes": supersedes_id,
            "call_for_competition": call_for_competition}, procurement_ref=p.reference,
           actor=actor)
    return notice, None


def _utc_day(at: datetime):
    return at.replace(tzinfo=timezone.utc).astimezone(builder.UK).date()


def refusals(p: Procurement, notice: Notice, now: datetime | None = None) -> list[str]:
    """Every reason `notice` cannot be published now; empty when it can."""
    if notice.state == PUBLISHED:
        return [f"Notice {notice.id} is already published: a published notice is never "
                "changed (publish a correction that supersedes it)"]
    now = now or clock.utcnow()
    kind = rules.kind_of(p.regime, notice.kind)
    if kind is None:
        return [f"{notice.kind} is not a notice of the {p.regime} regime"]
    published = queries.published_notices(p)
    facts = queries.facts(published)
    supersedes = next((f for f in facts if f.id == notice.supersedes_id), None)
    d = p.date_of("tender_deadline")
    earliest, basis = None, ""
    if rules.opens_competition(kind, notice.call_for_competition):
        earliest, basis = periods.minimum_tender_deadline(
            p, builder.competition_sent_on(p, notice, now))
    summaries = False
    if kind.stage == rules.AWARD and rules.family(p.regime) == "PA2023":
        summaries = builder.summaries_sent(p) is not None
    lots = tuple(rules.LotFacts(lot.code, len(lot.criteria),
                                float(sum((c.weight for c in lot.criteria), 0)),
                                lot.results_final_at is not None) for lot in p.lots)
    out = rules.publish_refusals(rules.PublishFacts(
        regime=p.regime, kind=notice.kind, now=now,
        call_for_competition=notice.call_for_competition, supersedes=supersedes,
        supersedes_id=notice.supersedes_id, published=facts, lots=lots,
        deadline=states.tender_deadline_utc(p),
        deadline_local=queries.uk_wall_clock(d.at, d.with_time) if d else None,
        earliest=earliest, earliest_basis=basis, summaries_issued=summaries, state=p.state))
    act = rules.act_of(kind, notice.call_for_competition)
    if act and notice.supersedes_id is None and not any(f.kind == notice.kind for f in facts):
        problem = lifecycle.refusal(p.state, act)
        if problem is not None:
            out.insert(0, problem.message)
    return out


def publish(p: Procurement, notice: Notice, actor: str | None = None) -> list[str]:
    """Publish `notice` now: [] when done (the caller commits), else every reason not."""
    actor = actor or current_actor()
    # Serialise publishing per procurement where the database can (PostgreSQL row lock).
    db.session.execute(select(Procurement.id).where(Procurement.id == p.id).with_for_update())
    now = clock.utcnow()
    problems = refusals(p, notice, now)
    if problems:
        return problems
    kind = rules.kind_of(p.regime, notice.kind)
    content = builder.build(p, notice, now)
    content["published_at"] = builder.utc_iso(now)
    ocid = ocid_of(p)
    notice.state, notice.published_at, notice.published_by = PUBLISHED, now, actor
    notice.content, notice.content_sha256 = content, sha256_content(content)
    notice.ocid, notice.ocds_release_id = ocid, f"{ocid}-notice-{notice.id}"
    pdf = render_notice(content)
    notice.pdf, notice.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    try:
        db.session.flush()  # the unique indexes speak here, before anything else is written
    except IntegrityError:
        db.session.rollback()
        return [f"Another {kind.name.lower()} was published at the same moment: reload and "
                "check the notices"]
    act = rules.act_of(kind, notice.call_for_competition)
    if act and notice.supersedes_id is None:
        refusal = states.act(p, act, actor=actor)
        if refusal is not None:  # refusals() saw the same state: only a race gets here
            return [refusal.message]
    stage = "tender" if content["opens_competition"] else kind.stage
    _fix_dates(p, stage, content, now, actor)
    record("notice", f"{p.reference}/{notice.id}", "publish", {"state": DRAFT},
           {"state": PUBLISHED, "kind": notice.kind, "published_at": now,
            "supersedes": notice.supersedes_id, "content_sha256": notice.content_sha256,
            "pdf_sha256": notice.pdf_sha256, "ocds_release_id": notice.ocds_release_id},
           procurement_ref=p.reference, actor=actor)
    return []


def _fix_dates(p: Procurement, stage: str, content: dict, now: datetime, actor: str) -> None:
    """Record the day this notice was published as its key date, where none is recorded."""
    wanted = []
    if stage in DATE_OF_STAGE:
        wanted.append((DATE_OF_STAGE[stage], _utc_day(now)))
    if stage == rules.AWARD and content.get("standstill"):
        wanted.append(("standstill_end",
                       datetime.fromisoformat(content["standstill"]["end"]).date()))
    for kind, day in wanted:
        if p.date_of(kind) is None:
            p.dates.append(TimelineDate(kind=kind, at=datetime.combine(day, datetime.min.time())))
            record("procurement", p.reference, "set_date", None,
                   {"kind": kind, "date": day, "by": "notice"}, procurement_ref=p.reference,
                   actor=actor)


def discard(p: Procurement, notice: Notice, actor: str | None = None) -> str | None:
    """Delete a draft (None), or say why not: a published notice stays for ever."""
    if notice.state == PUBLISHED:
        return (f"Notice {notice.id} is published: a published notice is never changed or "
                "removed")
    record("notice", f"{p.reference}/{notice.id}", "discard", {"state": DRAFT, "kind": notice.kind},
           None, procurement_ref=p.reference, actor=actor)
    db.session.delete(notice)
    return None


def list_json(p: Procurement) -> list[dict]:
    """`notice list REF --format json`: oldest first."""
    return [{"id": n.id, "kind": n.kind, "state": n.state,
             "published_at": n.published_at.replace(tzinfo=timezone.utc).isoformat(
                 timespec="microseconds").replace("+00:00", "Z") if n.published_at else None,
             "supersedes": n.supersedes_id, "ocds_release_id": n.ocds_release_id}
            for n in queries.notices(p)]
