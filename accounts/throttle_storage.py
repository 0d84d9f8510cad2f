"""A `limits` storage in the application's own database: `RATELIMIT_STORAGE_URI=tender-db://`.

`limits` (under Flask-Limiter) ships storages for memory, Redis, Memcached and MongoDB but
none for SQL, and memory is per process: with several gunicorn workers on several machines an
attacker would get a fresh allowance from each. This storage keeps each fixed-window counter
as a row of `throttle_counter`, in the database every worker already shares.

Every counter changes in one statement, `INSERT … ON CONFLICT (bucket) DO UPDATE … RETURNING`
(PostgreSQL and SQLite both have it), so concurrent workers never lose a hit: PostgreSQL locks
the row for the update, SQLite the database. Each call runs on a connection and transaction
of its own, so a hit counts whatever becomes of the request's own transaction.

Time is `clock.utcnow()`, so tests move the throttle's clock as they move everything else's.
"""
from __future__ import annotations

from datetime import datetime

from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

import clock
from accounts.models import ThrottleCounter
from extensions import db

SCHEME = "tender-db"
_EPOCH = datetime(1970, 1, 1)
_TABLE = ThrottleCounter.__table__


def now() -> float:
    """Seconds since the epoch, by the project's clock."""
    return (clock.utcnow() - _EPOCH).total_seconds()


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"tender-db:// throttle storage does not support {dialect}")
    return insert


class DatabaseStorage(Storage):
    """Fixed-window counters in the `throttle_counter` table (needs an app context)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` (negative: give back) to the counter; a window starts at its first hit."""
        at = now()
        engine = db.engine
        insert = _insert(engine.dialect.name)
        expired = _TABLE.c.expires_at <= at
        added = _TABLE.c.hits + amount
        stmt = insert(_TABLE).values(bucket=key, hits=max(amount, 0), expires_at=at + expiry)
        stmt = stmt.on_conflict_do_update(index_elements=[_TABLE.c.bucket], set_={
            "hits": case((expired, max(amount, 0)), (added < 0, 0), else_=added),
            "expires_at": case((expired, at + expiry), else_=_TABLE.c.expires_at),
        }).returning(_TABLE.c.hits)
        with engine.begin() as conn:
            hits = int(conn.execute(stmt).scalar_one())
        if amount > 0 and hits == amount:  # a new window: forget windows long past, in a
            with engine.begin() as conn:  # transaction of its own (no lock held with the row's)
                conn.execute(delete(_TABLE).where(_TABLE.c.expires_at < at - 3600))
        return hits

    def get(self, key: str) -> int:
        with db.engine.connect() as conn:
            hits = conn.execute(select(_TABLE.c.hits).where(
                _TABLE.c.bucket == key, _TABLE.c.expires_at > now())).scalar_one_or_none()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        at = now()
        with db.engine.connect() as conn:
            expires = conn.execute(select(_TABLE.c.expires_at).where(
                _TABLE.c.bucket == key, _TABLE.c.expires_at > at)).scalar_one_or_none()
        return float(expires) if expires is not None else at

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as conn:
            return conn.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(_TABLE).where(_TABLE.c.bucket == key))
