"""The emailed links: signed, time-limited and good for one use.

A link carries a token signed with the app's SECRET_KEY (itsdangerous), for one purpose
("register" or "invite", so one kind of link never opens the other's page), naming the user
and a fingerprint of the account's state: its password hash, active and pending flags and
confirmation time. Following the link changes that state, so the same link fails from then
on ("already used") without anything to store. The time in the token is the server's clock
(`clock.utcnow`, which the tests move), and a link is good for `ACCOUNT_LINK_HOURS` (48).
"""
from __future__ import annotations

import hashlib
from datetime import timezone

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

import clock
from accounts.models import User
from extensions import db

REGISTER, INVITE = "register", "invite"
FORGED, EXPIRED, USED = "forged", "expired", "used"
DEFAULT_HOURS = 48


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.utcnow().replace(tzinfo=timezone.utc).timestamp())


def hours() -> int:
    return int(current_app.config.get("ACCOUNT_LINK_HOURS", DEFAULT_HOURS))


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"tender-account-link-{purpose}", signer=_ClockSigner)


def fingerprint(user: User) -> str:
    state = "|".join(str(v) for v in (user.id, user.email.lower(), user.password_hash,
                                       user.active, user.pending, user.email_confirmed_at))
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def make(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": fingerprint(user)})


def read(token: str, purpose: str) -> tuple[User | None, str]:
    """(the user, "") for a good link; else (None, FORGED, EXPIRED or USED)."""
    try:
        data = _serializer(purpose).loads(token, max_age=hours() * 3600)
    except SignatureExpired:
        return None, EXPIRED
    except BadSignature:
        return None, FORGED
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None, FORGED
    user = db.session.get(User, data["u"])
    if user is None or not user.pending or data.get("f") != fingerprint(user):
        return None, USED  # followed already (or the registration was since forgotten)
    return user, ""


def link(endpoint: str, token: str) -> str:
    """The whole address for an email: the site's public address (PUBLIC_URL), never the
    Host header of the request, which whoever sends the request chooses."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, token=token)
