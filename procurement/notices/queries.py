"""What is public about a procurement: its published notices, whether it is open, and the
list of opportunities (search, status filter, pages). Read-only queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

import clock
from accounts.models import Organisation
from extensions import db
from procurement.models import Procurement, TimelineDate
from procurement.notices import rules
from procurement.notices.models import PUBLISHED, Clarification, Notice, TenderDocument

UK = ZoneInfo("Europe/London")
STATUSES = {"open": "Open", "planned": "Planned", "closed": "Closed", "awarded": "Awarded"}


def published_notices(procurement: Procurement) -> list[Notice]:
    """Oldest first (by publication), superseded ones included."""
    return list(db.session.execute(
        select(Notice).where(Notice.procurement_id == procurement.id, Notice.state == PUBLISHED)
        .order_by(Notice.published_at, Notice.id)).scalars())


def notices(procurement: Procurement) -> list[Notice]:
    """Every notice, drafts too, oldest first (by id)."""
    return list(db.session.execute(select(Notice).where(
        Notice.procurement_id == procurement.id).order_by(Notice.id)).scalars())


def superseded_ids(published: list[Notice]) -> dict[int, Notice]:
    """Published notice id -> the published notice that supersedes it."""
    return {n.supersedes_id: n for n in published if n.supersedes_id is not None}


def current(published: list[Notice]) -> list[Notice]:
    """The published notices nothing supersedes."""
    replaced = superseded_ids(published)
    return [n for n in published if n.id not in replaced]


def facts(published: list[Notice]) -> tuple[rules.PublishedNotice, ...]:
    replaced = superseded_ids(published)
    return tuple(rules.PublishedNotice(n.id, n.kind, n.id in replaced) for n in published)


def _stages(procurement: Procurement, published: list[Notice]) -> set[str]:
    out = set()
    for n in published:
        kind = rules.kind_of(procurement.regime, n.kind)
        if kind is None:
            continue
        out.add("tender" if rules.opens_competition(kind, n.call_for_competition) else kind.stage)
    return out


# `TimelineDate.at` is read here, and only here (in SQL rows, without the model's properties):
# a date-time is kept in UTC, a date alone as its midnight (migration 0006).
def deadline_utc(at: datetime | None, with_time: bool) -> datetime | None:
    """A recorded key date (a date alone: the end of that UK day) as the naive UTC instant."""
    if at is None:
        return None
    if with_time:  # key date-times are kept in UTC (migration 0006)
        return at
    local = datetime.combine(at.date(), time(23, 59, 59))
    return local.replace(tzinfo=UK).astimezone(timezone.utc).replace(tzinfo=None)


def uk_wall_clock(at: datetime, with_time: bool) -> datetime:
    """A recorded key date as the UK wall-clock time (a date alone: its midnight); a
    date-time is kept in UTC (migration 0006)."""
    if with_time:
        return at.replace(tzinfo=timezone.utc).astimezone(UK).replace(tzinfo=None)
    return datetime.combine(at.date(), time(0))


def status_of(stages: set[str], deadline: datetime | None, now: datetime) -> str:
    """open, planned, closed or awarded, from the stages of the published notices."""
    if stages & {"award", "contract"}:
        return "awarded"
    if "termination" in stages:
        return "closed"
    if "tender" in stages:
        return "open" if deadline is None or now < deadline else "closed"
    return "planned"


def status(procurement: Procurement, published: list[Notice] | None = None) -> str:
    published = published if published is not None else published_notices(procurement)
    d = procurement.date_of("tender_deadline")
    return status_of(_stages(procurement, published),
                     deadline_utc(d.at, d.with_time) if d else None, clock.utcnow())


def opens_competition(procurement: Procurement, published: list[Notice]) -> bool:
    return "tender" in _stages(procurement, published)


def terminated(procurement: Procurement, published: list[Notice]) -> bool:
    return "termination" in _stages(procurement, published)


def questions_close(procurement: Procurement) -> datetime | None:
    """When clarification questions close (naive UTC): the clarification deadline, else the
    tender deadline."""
    d = procurement.date_of("clarification_deadline") or procurement.date_of("tender_deadline")
    return deadline_utc(d.at, d.with_time) if d else None


def published_answers(procurement: Procurement) -> list[Clarification]:
    return list(db.session.execute(
        select(Clarification).where(Clarification.procurement_id == procurement.id,
                                    Clarification.published_at.is_not(None))
        .order_by(Clarification.published_at, Clarification.id)).scalars())


def current_documents(procurement: Procurement) -> list[TenderDocument]:
    return list(db.session.execute(
        select(TenderDocument).where(TenderDocument.procurement_id == procurement.id,
                                     TenderDocument.replaced_at.is_(None))
        .order_by(TenderDocument.uploaded_at, TenderDocument.id)).scalars())


def is_public(procurement: Procurement) -> bool:
    return db.session.execute(select(Notice.id).where(
        Notice.procurement_id == procurement.id, Notice.state == PUBLISHED).limit(1)
    ).first() is not None


# -- the list of opportunities -------------------------------------------------------------

@dataclass
class Opportunity:
    reference: str
    title: str
    buyer: str
    deadline: datetime | None  # naive UTC
    deadline_local: datetime | None
    deadline_has_time: bool
    status: str
    first_published: datetime


@dataclass
class Page:
    items: list[Opportunity]
    page: int
    pages: int
    total: int


def search(words: str = "", cpv: str = "", buyer: str = "", wanted: str = "open",
           page: int = 1, per_page: int = 20) -> Page:
    """Procurements with a published notice, matching every word (reference, title or
    description), a CPV code (its leading digits) and the buyer's name, with the status
    wanted ("all" for any), newest first; one page of them."""
    published = (select(Notice.procurement_id, func.min(Notice.published_at).label("first"))
                 .where(Notice.state == PUBLISHED).group_by(Notice.procurement_id).subquery())
    deadline = (select(TimelineDate.procurement_id, TimelineDate.at, TimelineDate.with_time)
                .where(TimelineDate.kind == "tender_deadline").subquery())
    query = (select(Procurement.id, Procurement.reference, Procurement.title,
                    Procurement.regime, Organisation.name, deadline.c.at, deadline.c.with_time,
                    published.c.first)
             .join(published, published.c.procurement_id == Procurement.id)
             .join(Organisation, Organisation.id == Procurement.organisation_id)
             .outerjoin(deadline, deadline.c.procurement_id == Procurement.id))
    for word in words.split()[:10]:
        like = f"%{_escape(word.lower())}%"
        query = query.where(or_(func.lower(Procurement.title).like(like, escape="\\"),
                                func.lower(Procurement.description).like(like, escape="\\"),
                                func.lower(Procurement.reference).like(like, escape="\\")))
    digits = "".join(ch for ch in cpv if ch.isdigit())[:8]
    if digits:
        query = query.where(or_(Procurement.cpv_codes.like(f"{digits}%"),
                                Procurement.cpv_codes.like(f"%,{digits}%"),
                                Procurement.cpv_codes.like(f"% {digits}%")))
    if buyer.strip():
        query = query.where(func.lower(Organisation.name).like(
            f"%{_escape(buyer.strip().lower())}%", escape="\\"))
    rows = db.session.execute(query.order_by(published.c.first.desc(), Procurement.id.desc())
                              ).all()
    stages = _stages_by_procurement([r[0] for r in rows], {r[0]: r[3] for r in rows})
    now = clock.utcnow()
    items = []
    for pid, reference, title, _regime, org, at, with_time, first in rows:
        due = deadline_utc(at, bool(with_time)) if at else None
        state = status_of(stages.get(pid, set()), due, now)
        if wanted in ("all", state):
            items.append(Opportunity(reference, title, org, due, at, bool(with_time), state,
                                     first))
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    return Page(items[(page - 1) * per_page:page * per_page], page, pages, len(items))


def _stages_by_procurement(ids: list[int], regimes: dict[int, str]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    if not ids:
        return out
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for pid, kind_code, cfc in db.session.execute(
                select(Notice.procurement_id, Notice.kind, Notice.call_for_competition)
                .where(Notice.procurement_id.in_(part), Notice.state == PUBLISHED)):
            kind = rules.kind_of(regimes[pid], kind_code)
            if kind is not None:
                out.setdefault(pid, set()).add(
                    "tender" if rules.opens_competition(kind, cfc) else kind.stage)
    return out


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
