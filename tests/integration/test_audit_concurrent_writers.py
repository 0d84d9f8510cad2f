"""Audit records written at once by several connections (several workers) chain in order, on
SQLite too, which has no SELECT … FOR UPDATE (and on PostgreSQL, which has), from the very
first record of an empty chain."""
import threading

from sqlalchemy import select

from audit.models import AuditRecord
from audit.services import record, verify
from extensions import db
from tests.conftest import _empty_tables


def test_concurrent_writers_never_take_the_same_place_in_the_chain(_app):
    barrier, failures = threading.Barrier(6), []

    def writer(n):
        with _app.app_context():
            try:
                barrier.wait()
                for i in range(5):
                    record("user", f"person{n}@example.org", "sign in failed",
                           after={"try": i}, actor=f"person{n}@example.org")
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        with _app.app_context():
            assert failures == []
            assert db.session.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq)
                                      ).all() == list(range(1, 31))
            assert verify() == (30, None)
            db.session.remove()
    finally:
        with _app.app_context():
            _empty_tables()
            db.session.remove()
