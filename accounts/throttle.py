"""The sign-in throttle: Flask-Limiter, per account and per address, counting failures only.

Two shared limits guard every password check (signing in, and the current password on the
change-password page): `SIGNIN_LIMIT_PER_ACCOUNT` (default 5 per 15 minutes) keyed by the
email address tried - the same for an account that does not exist, so the throttle tells
nothing about which do - and `SIGNIN_LIMIT_PER_ADDRESS` (default 20 per 15 minutes) keyed by
the client's address. Each attempt takes its hit *before* the password is checked, in one
atomic step of the storage, so attempts sent in parallel cannot all slip under the limit;
an attempt that did not fail (a right password, a form that never reached the password)
gives its hit back. Past the limit every attempt, with the right password too, is answered
429 with the time to try again, until the window has passed.

The counters live where `RATELIMIT_STORAGE_URI` says: by default `tender-db://`, the
application's database (accounts.throttle_storage), which every worker and machine shares;
`redis://…` for Redis; `memory://` only when set explicitly, and never in production.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user

import accounts.throttle_storage  # noqa: F401  (registers tender-db://)
from audit.services import record
from extensions import db, limiter

UK = ZoneInfo("Europe/London")
ACCOUNT, ADDRESS = "account:", "address:"


def _email_tried() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _signin_account() -> str:
    email = _email_tried()
    return ACCOUNT + email if email else ""  # no email: no password is checked either


def _password_account() -> str:
    return ACCOUNT + current_user.email.lower() if current_user.is_authenticated else ""


def _address() -> str:
    return ADDRESS + (request.remote_addr or "unknown")


def _per_account() -> str:
    return current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    return current_app.config["SIGNIN_LIMIT_PER_ADDRESS"]


# Shared scopes: the sign-in page and the change-password page draw on the same allowance.
signin_per_account = limiter.shared_limit(_per_account, scope="password-per-account",
                                          key_func=_signin_account, methods=["POST"])
signin_per_address = limiter.shared_limit(_per_address, scope="password-per-address",
                                          key_func=_address, methods=["POST"])
password_per_account = limiter.shared_limit(_per_account, scope="password-per-account",
                                            key_func=_password_account, methods=["POST"])
password_per_address = signin_per_address

# Registration and the emailed links (accounts.registration, accounts.invitations): every
# request counts, by address, and an invitation by the person sending it, so nobody sends
# mail to whole lists of addresses or tries tokens by the thousand.
LINKS = "links:"
LINK_SCOPES = ("register-per-address", "account-links-per-address", "invite-per-account")


def _links_address() -> str:
    return LINKS + (request.remote_addr or "unknown")


def _inviter() -> str:
    return LINKS + (current_user.email.lower() if current_user.is_authenticated else "-")


def _config(key: str, default: str):
    return lambda: current_app.config.get(key, default)


register_per_address = limiter.shared_limit(
    _config("REGISTER_LIMIT_PER_ADDRESS", "10 per hour"), scope="register-per-address",
    key_func=_links_address, methods=["POST"])
links_per_address = limiter.shared_limit(
    _config("ACCOUNT_LINK_LIMIT_PER_ADDRESS", "30 per 15 minutes"),
    scope="account-links-per-address", key_func=_links_address)
invite_per_account = limiter.shared_limit(
    _config("INVITE_LIMIT_PER_ACCOUNT", "20 per hour"), scope="invite-per-account",
    key_func=_inviter, methods=["POST"])


def give_back() -> None:
    """This attempt did not fail: return the hits it took (before the response is sent)."""
    storage = limiter.storage
    for taken in limiter.current_limits:
        if not taken.breached:
            storage.incr(taken.key, taken.limit.get_expiry(), amount=-1)


def _uk_time(epoch: float) -> str:
    at = datetime.fromtimestamp(epoch, timezone.utc).astimezone(UK)
    return f"{at.hour % 12 or 12}:{at.minute:02d}{'am' if at.hour < 12 else 'pm'}"


def too_many(err):
    """429: which allowance ran out, and when the person may try again (sign-in page's look)."""
    breached = limiter.current_limit
    if breached is None:  # not one of ours
        return err
    from accounts.throttle_storage import now

    reset_at = breached.window.reset_time  # when this window's counter expires
    wait = max(1, math.ceil((reset_at - now()) / 60))
    retry = {"Retry-After": str(max(1, int(reset_at - now())))}
    if breached.request_args and breached.request_args[-1] in LINK_SCOPES:
        return render_template("accounts/links_throttled.html", until=_uk_time(reset_at),
                               minutes=wait), 429, retry
    per_account = breached.request_args[-2].startswith(ACCOUNT) if \
        len(breached.request_args) >= 2 else False
    if limiter.storage.get(breached.key) == breached.limit.amount + 1:
        # the first refusal of this window: say so in the audit, once (not every attempt)
        tried = _email_tried() or (current_user.email if current_user.is_authenticated
                                   else "") or "-"
        record("user", tried[:120], "sign in throttled",
               after={"limit": str(breached.limit), "address": request.remote_addr,
                      "per": "account" if per_account else "address"}, actor=tried)
        db.session.commit()
    body = render_template("accounts/throttled.html", per_account=per_account,
                           until=_uk_time(reset_at), minutes=wait)
    return body, 429, retry
