"""Conditional GETs for the public pages: ETag, Last-Modified, Cache-Control and 304.

A page's validator is a few aggregate queries over what it shows (notices published, answers,
documents, the procurement's data version, decisions signed), never the page itself: a
client that has the page gets 304 without it being rendered again. Into the ETag also go the
address with its query, who is signed in (a signed-in page is theirs: `private`) and the
minute (a page counts days left and moves from open to closed with the clock, so no page is
trusted longer than that). A request with messages waiting to be shown is answered in full.
"""
from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timezone
from typing import Callable

from flask import make_response, request, session
from flask_login import current_user

import clock

MAX_AGE = 60  # seconds: the ETag's own minute


def _http_date(at: datetime) -> datetime:
    return at.replace(microsecond=0, tzinfo=timezone.utc)


def conditional(validator: Callable[..., tuple[tuple, datetime | None] | None]):
    """Decorate a public view: `validator(**view_args)` returns (parts, last modified) that
    change whenever the page would, or None to answer in full (a 404 to come, say)."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if request.method != "GET" or session.get("_flashes"):
                return view(**kwargs)
            found = validator(**kwargs)
            if found is None:
                return view(**kwargs)
            parts, changed = found
            minute = clock.utcnow().replace(second=0, microsecond=0)
            who = current_user.get_id() if current_user.is_authenticated else None
            etag = hashlib.sha256(repr((request.full_path, parts, minute, who)).encode()
                                  ).hexdigest()[:32]
            modified = _http_date(max(changed, minute) if changed else minute)
            cache = (f"private, max-age=0, must-revalidate" if who else
                     f"public, max-age={MAX_AGE}")
            if request.if_none_match:
                fresh = request.if_none_match.contains(etag)
            else:
                since = request.if_modified_since
                fresh = since is not None and since >= modified
            if fresh:
                response = make_response("", 304)
            else:
                response = make_response(view(**kwargs))
                if response.status_code != 200:
                    return response
            response.set_etag(etag)
            response.last_modified = modified
            response.headers["Cache-Control"] = cache
            response.vary.add("Cookie")
            return response
        return wrapped
    return decorate
