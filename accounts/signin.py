"""Checking a password the same way whether or not the account exists, and auditing it.

An unknown email address is checked against a dummy hash made the same way as real ones, so
it costs the same time and gets the same answer as a wrong password: neither the page nor
the time it takes tells which accounts exist. Every attempt that checked a password is
audited, with the email tried as the actor and never the password.
"""
from __future__ import annotations

import secrets

from flask import request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import User
from audit.services import record
from extensions import db

WRONG = "The email address or password is not right"
_dummy_hash: str | None = None


def dummy_hash() -> str:
    """A hash of a random password nobody knows, made as `User.set_password` makes hashes."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash(secrets.token_urlsafe(24))
    return _dummy_hash


def find(email: str) -> User | None:
    return db.session.execute(select(User).where(
        func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """(the user, "") when the password is theirs and they are active; else (None, reason).

    One password hash is checked in every case, a dummy one for an unknown email."""
    user = find(email)
    matches = check_password_hash(user.password_hash if user is not None else dummy_hash(),
                                  password)
    if user is None:
        return None, "no such account"
    if not matches:
        return None, "wrong password"
    if not user.active:
        return None, "account not active"
    return user, ""


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def _address() -> str | None:
    return request.remote_addr


def record_failure(email: str, reason: str) -> None:
    """A failed sign-in, in the audit (the caller commits)."""
    email = email.strip().lower()
    record("user", email[:120], "sign in failed",
           after={"reason": reason, "address": _address()}, actor=email[:254] or "-")


def record_signed_in(user: User) -> None:
    record("user", user.email, "sign in", after={"address": _address()}, actor=user.email)
