"""Writing audit records in the same transaction as the change they describe."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select, update

from clock import utcnow
from audit.chain import GENESIS, record_hash
from audit.models import AuditHead, AuditRecord
from extensions import db


def plain(value):
    """JSON-safe values: money and scores as strings so nothing is rounded on the way."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() \
            else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def current_actor(default: str = "system") -> str:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.email
    return default


def record(entity: str, entity_id, action: str, before=None, after=None, *,
           procurement_ref: str | None = None, actor: str | None = None) -> AuditRecord:
    """Append one record to the chain; the caller's commit makes it permanent with the change."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite has no SELECT … FOR UPDATE: take its write lock first, so two writers (two
        # workers, or threads) read the head one after the other, never the same head.
        db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    head = db.session.execute(select(AuditHead).with_for_update()).scalar_one_or_none()
    if head is None:  # the first record ever: two first writers at once make one head
        db.session.execute(_insert(dialect)(AuditHead).values(id=1, seq=0, hash=GENESIS)
                           .on_conflict_do_nothing(index_elements=["id"]))
        head = db.session.execute(select(AuditHead).with_for_update()).scalar_one()
    rec = AuditRecord(
        seq=head.seq + 1, at=utcnow().replace(microsecond=0), actor=actor or current_actor(),
        procurement_ref=procurement_ref, entity=entity, entity_id=str(entity_id),
        action=action, before=plain(before), after=plain(after), prev_hash=head.hash)
    rec.hash = record_hash(head.hash, as_dict(rec))
    head.seq, head.hash = rec.seq, rec.hash
    db.session.add(rec)
    return rec


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def as_dict(rec: AuditRecord) -> dict:
    return {"seq": rec.seq, "at": rec.at.isoformat() if rec.at else None, "actor": rec.actor,
            "procurement_ref": rec.procurement_ref, "entity": rec.entity,
            "entity_id": rec.entity_id, "action": rec.action, "before": rec.before,
            "after": rec.after, "prev_hash": rec.prev_hash, "hash": rec.hash}


def verify() -> tuple[int, str | None]:
    """(number of records, first problem or None), streaming the chain in order."""
    from audit.chain import first_break

    head = db.session.get(AuditHead, 1)
    result = db.session.execute(select(AuditRecord).order_by(AuditRecord.seq)
                                .execution_options(yield_per=1000))
    count = 0

    def dicts():
        nonlocal count
        for rec in result.scalars():
            count += 1
            yield as_dict(rec)

    try:
        problem = first_break(dicts(), {"seq": head.seq, "hash": head.hash} if head else None)
    finally:
        result.close()  # a break found early leaves the (server-side) cursor open otherwise
    return count, problem
