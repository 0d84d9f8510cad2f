"""When a signed-in session has ended: plain rules over plain values, no Flask or ORM.

A session is a row the server keeps (accounts.models.UserSession), named by a random token in
the signed session cookie. It has ended, and the cookie no longer lets anyone in, when:
- it was signed out, or its person signed out everywhere (the row is gone, or its generation
  is older than the person's);
- its person's password, roles or active flag changed since it began (these bump the
  person's session generation, so every older session ends);
- it has not been used for the idle timeout, or began longer ago than the absolute timeout.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

IDLE_MINUTES = 30
ABSOLUTE_HOURS = 12

ENDED = "You have been signed out. Sign in again to continue."


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta = timedelta(minutes=IDLE_MINUTES)
    absolute: timedelta = timedelta(hours=ABSOLUTE_HOURS)


def _positive(text: str | None, default: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def timeouts_from(idle_minutes: str | None, absolute_hours: str | None) -> Timeouts:
    """The administrator's settings as timeouts; a missing or unusable value is the default."""
    return Timeouts(idle=timedelta(minutes=_positive(idle_minutes, IDLE_MINUTES)),
                    absolute=timedelta(hours=_positive(absolute_hours, ABSOLUTE_HOURS)))


def _amount(delta: timedelta, unit: str, seconds: int) -> str:
    n = int(delta.total_seconds() // seconds)
    return f"{n} {unit}{'' if n == 1 else 's'}"


def session_refusal(*, started: datetime, last_seen: datetime, now: datetime,
                    generation: int, user_generation: int, active: bool,
                    timeouts: Timeouts) -> str | None:
    """Why this session no longer signs its person in (the message for them), or None."""
    if not active or generation != user_generation:
        return ENDED
    if now - started >= timeouts.absolute:
        return (f"You have been signed out because you signed in more than "
                f"{_amount(timeouts.absolute, 'hour', 3600)} ago. Sign in again to continue.")
    if now - last_seen >= timeouts.idle:
        return (f"You have been signed out because you did nothing for "
                f"{_amount(timeouts.idle, 'minute', 60)}. Sign in again to continue.")
    return None
