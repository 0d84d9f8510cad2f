"""Writing audit records in the same transaction as the change they describe, and
verifying the chain (docs/audit.md)."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import Text, cast, select, update

from clock import utcnow
from audit import anchor
from audit.chain import GENESIS, KEYED, first_break, record_hash
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
    if has_app_context() and g.get("job_actor"):  # a background job, for whom it runs
        return g.job_actor
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
        action=action, before=plain(before), after=plain(after), prev_hash=head.hash,
        hash_alg=KEYED)
    rec.hash = record_hash(head.hash, as_dict(rec), hmac_key())
    head.seq, head.hash = rec.seq, rec.hash
    db.session.add(rec)
    # anchored just before the commit (audit.anchor): never committed without its line
    anchor.queue(db.session(), current_app.config["AUDIT_ANCHOR_PATH"], rec, rec.seq, rec.hash)
    return rec


def hmac_key() -> bytes:
    """AUDIT_HMAC_KEY (config.audit_hmac_key): from the environment, never the database."""
    return current_app.config["AUDIT_HMAC_KEY"].encode()


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
            "after": rec.after, "prev_hash": rec.prev_hash, "hash": rec.hash,
            "alg": rec.hash_alg}


# The stored text of each column, read as text and parsed here, so that a value edited into
# something the ORM cannot load (invalid JSON, a date that is not one) names its record
# instead of stopping verify with a traceback.
_RAW = (AuditRecord.seq, cast(AuditRecord.at, Text), AuditRecord.actor,
        AuditRecord.procurement_ref, AuditRecord.entity, AuditRecord.entity_id,
        AuditRecord.action, cast(AuditRecord.before, Text), cast(AuditRecord.after, Text),
        AuditRecord.prev_hash, AuditRecord.hash, AuditRecord.hash_alg)


def _parsed(row) -> dict:
    (seq, at, actor, ref, entity, entity_id, action, before, after, prev_hash, digest,
     alg) = row
    rec = {"seq": seq, "actor": actor, "procurement_ref": ref, "entity": entity,
           "entity_id": entity_id, "action": action, "prev_hash": prev_hash, "hash": digest,
           "alg": alg}
    try:
        rec["at"] = None if at is None else datetime.fromisoformat(str(at)).isoformat()
        rec["before"] = None if before is None else json.loads(before)
        rec["after"] = None if after is None else json.loads(after)
    except (TypeError, ValueError, RecursionError) as exc:
        what = "time" if "at" not in rec else "before or after value"
        rec["unreadable"] = f"its {what} cannot be parsed: {type(exc).__name__}"
    return rec


def verify() -> tuple[int, str | None]:
    """(number of records, first problem or None), streaming the chain in order and
    comparing it with the anchor. Never raises on what it reads from the database."""
    head = db.session.get(AuditHead, 1)
    path = current_app.config["AUDIT_ANCHOR_PATH"]
    try:
        anchored = anchor.read(path)
    except OSError as exc:
        return 0, f"the audit anchor {path} cannot be read: {exc.strerror or exc}"
    result = db.session.execute(select(*_RAW).order_by(AuditRecord.seq)
                                .execution_options(yield_per=1000))
    count = 0

    def dicts():
        nonlocal count
        rows, last = iter(result), 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - the driver cannot decode a stored value
                yield from one_by_one(last, exc)
                return
            count += 1
            rec = _parsed(row)
            last = rec["seq"]
            yield rec

    def one_by_one(last, first_error):
        """After a batch the driver could not return: the rest one record at a time, so
        that the record it cannot return is the one named."""
        nonlocal count
        try:
            seqs = db.session.scalars(select(AuditRecord.seq).where(AuditRecord.seq > last)
                                      .order_by(AuditRecord.seq)).all()
        except Exception:  # noqa: BLE001
            seqs = []
        for seq in seqs:
            try:
                row = db.session.execute(select(*_RAW).where(AuditRecord.seq == seq)).one()
            except Exception as exc:  # noqa: BLE001
                count += 1
                yield {"seq": seq, "unreadable": f"the database cannot return it: "
                                                 f"{type(exc).__name__}"}
                return
            count += 1
            yield _parsed(row)
        count += 1
        yield {"seq": last + 1 if isinstance(last, int) else last,
               "unreadable": f"the database cannot return the records after record {last}: "
                             f"{type(first_error).__name__}"}

    try:
        problem = first_break(dicts(), {"seq": head.seq, "hash": head.hash} if head else None,
                              key=hmac_key(), anchor=anchored)
    finally:
        result.close()  # a break found early leaves the (server-side) cursor open otherwise
    return count, problem
