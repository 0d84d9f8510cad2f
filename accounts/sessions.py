"""Signed-in sessions the server can end: started at sign-in, checked on every request.

The session cookie is signed but kept by the browser, so on its own a copy taken before
sign-out would go on working. Each sign-in therefore also writes a `UserSession` row, and the
cookie carries a random token naming it; Flask-Login's user loader (accounts.access) calls
`load`, which lets a request in only while that row exists, belongs to the user, is of the
user's current session generation and has timed out neither way (accounts.session_rules).
Everything is in the database, so every gunicorn worker on every machine sees the same.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import flash, g, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, update

import clock
from accounts.models import User, UserSession, bump_session_generation, settings_in_force
from accounts.session_rules import ENDED, Timeouts, session_refusal, timeouts_from
from extensions import db

TOKEN_KEY = "session_token"  # in Flask's session cookie
TOUCH_EVERY = timedelta(minutes=1)  # how often a request writes last_seen_at


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def timeouts() -> Timeouts:
    rows = settings_in_force(("session_idle_minutes", "session_absolute_hours"))
    return timeouts_from(rows.get("session_idle_minutes"), rows.get("session_absolute_hours"))


def start(user: User) -> None:
    """Sign this person in on this browser: a new session row and a fresh session cookie.

    The caller commits (with its audit record)."""
    db.session.flush()  # a pending change of generation is written, and read back below
    _forget()  # nothing of an earlier sign-in carries over; the new token is fresh
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    db.session.add(UserSession(token_hash=_digest(token), user_id=user.id,
                               generation=user.session_generation, created_at=now,
                               last_seen_at=now))
    _prune(now)
    login_user(user)
    session[TOKEN_KEY] = token


def _prune(now) -> None:
    """Forget sessions that can no longer be used by anyone (kept small, no job needed)."""
    limits = timeouts()
    db.session.execute(delete(UserSession).where(
        (UserSession.last_seen_at < now - limits.idle)
        | (UserSession.created_at < now - limits.absolute)))


def load(user_id: str) -> User | None:
    """The signed-in user of this request, or None when the session has ended."""
    token = session.get(TOKEN_KEY)
    if not token or not str(user_id).isdigit():
        return _ended(None)
    found = db.session.execute(  # the session and its person in one query, every request
        select(UserSession, User).join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(token))).first()
    if found is None or found[0].user_id != int(user_id):
        return _ended(None)
    row, user = found
    now = clock.utcnow()
    refusal = session_refusal(started=row.created_at, last_seen=row.last_seen_at, now=now,
                              generation=row.generation,
                              user_generation=user.session_generation, active=user.active,
                              timeouts=timeouts())
    if refusal:
        db.session.delete(row)
        db.session.commit()
        return _ended(refusal)
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(UserSession).where(UserSession.id == row.id)
                           .values(last_seen_at=now))
        db.session.commit()
    return user


def _forget() -> None:
    """Drop the signed-in state from this browser's cookie (its CSRF token may stay)."""
    for key in (TOKEN_KEY, "_user_id", "_fresh", "_id", "_remember", "_remember_seconds"):
        session.pop(key, None)


def _ended(message: str | None) -> None:
    """Forget the ended session in this browser; say why on the sign-in page."""
    _forget()
    g.session_ended = message or ENDED
    return None


def end_current() -> None:
    """Sign out here: this browser's session ends; the person's others go on."""
    token = session.get(TOKEN_KEY)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))
    logout_user()
    _forget()


def end_everywhere(user: User) -> int:
    """End every session of this person, on every browser and machine; how many there were."""
    bump_session_generation(user)
    ended = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return ended.rowcount or 0


def signed_out_message() -> str | None:
    """Why this request's session ended, if it did (for the sign-in page)."""
    return g.get("session_ended")


def flash_ended() -> None:
    message = signed_out_message()
    if message:
        flash(message, "info")
