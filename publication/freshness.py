"""What the public pages show, summed up in a few aggregate queries (procurement.conditional):
the notices published, the answers published, the documents, the procurements' states and
data versions. Any change to those changes the parts; the minute does the rest."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from extensions import db
from procurement.access import find_procurement
from procurement.data_version import DataVersion
from procurement.models import Procurement, TimelineDate
from procurement.notices.models import PUBLISHED, Clarification, Notice, TenderDocument


def _summary(where_procurement=None) -> tuple[tuple, datetime | None]:
    def scoped(query, column):
        return query.where(column == where_procurement) if where_procurement else query

    notices = db.session.execute(scoped(select(
        func.count(Notice.id), func.max(Notice.published_at), func.max(Notice.id))
        .where(Notice.state == PUBLISHED), Notice.procurement_id)).one()
    answers = db.session.execute(scoped(select(
        func.count(Clarification.id), func.max(Clarification.published_at))
        .where(Clarification.published_at.is_not(None)), Clarification.procurement_id)).one()
    documents = db.session.execute(scoped(select(
        func.count(TenderDocument.id), func.max(TenderDocument.uploaded_at),
        func.max(TenderDocument.replaced_at)), TenderDocument.procurement_id)).one()
    states = tuple(db.session.execute(scoped(select(
        Procurement.state, func.count(Procurement.id)).group_by(Procurement.state)
        .order_by(Procurement.state), Procurement.id)).all())
    versions = db.session.execute(scoped(select(
        func.count(DataVersion.procurement_id), func.sum(DataVersion.figures)),
        DataVersion.procurement_id)).one()
    dates = db.session.execute(scoped(select(
        func.count(TimelineDate.id), func.max(TimelineDate.at), func.max(TimelineDate.id)),
        TimelineDate.procurement_id)).one()
    parts = (tuple(notices), tuple(answers), tuple(documents), states, tuple(versions),
             tuple(dates))
    stamps = [t for t in (notices[1], answers[1], documents[1], documents[2]) if t]
    return parts, (max(stamps) if stamps else None), notices[0]


def all_published(**_kwargs):
    parts, changed, _count = _summary()
    return parts, changed


def one_procurement(reference: str, **_kwargs):
    """None (answer in full: a 404) for a procurement unknown or with nothing published."""
    p = find_procurement(reference)
    if p is None:
        return None
    parts, changed, count = _summary(p.id)
    if not count:
        return None
    return (p.id, parts), changed
