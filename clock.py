"""The server's clock, in one place: UTC for what the system records, UK dates for people.

Everything that asks "is it after the deferral date?", "when were the letters sent?" or
"which financial year is the decision number in?" calls `clock.today()` through the module
(never `from clock import today`), so tests can monkeypatch `clock.today`.
"""
from __future__ import annotations

from datetime import date, datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive (the database columns are naive UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    return date.today()
