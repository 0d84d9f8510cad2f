"""Conditional GETs for the public pages: ETag, Last-Modified, Cache-Control and 304.

A page's validator is a few aggregate queries over what it shows (notices published, answers,
documents, the procurement's data version, decisions signed), never the page itself: a
client that has the page gets 304 without it being rendered again. Into the ETag also go the
address with its query, who is signed in (a signed-in page is theirs: `private`) and the
minute (a page counts days left and moves from open to closed with the clock, so no page is
trusted longer than that). A request with messages waiting to be shown is answered in full.

The ETag also keys a server-side copy of the page (Flask-Caching, `extensions.cache`): a
signed-out request for a page whose ETag some request already rendered, in this worker or
(with Redis) any, gets that copy without the view running. Only a whole 200 carrying nothing
of its session is kept (no cookie, no CSRF token), only signed-out requests use it (a
signed-in page is its user's), and a cache that fails only costs the rendering.
"""
from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timezone
from typing import Callable

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user

import clock
from extensions import cache

MAX_AGE = 60  # seconds: the ETag's own minute
# Headers of the rendered response not kept with its copy: the ones set again on every
# answer (below, by the session, by the server), and the content type, kept on its own.
NOT_KEPT = frozenset({"set-cookie", "content-length", "content-type", "date", "etag",
                      "last-modified", "cache-control", "vary"})


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
            control = (f"private, max-age=0, must-revalidate" if who else
                       f"public, max-age={MAX_AGE}")
            if request.if_none_match:
                fresh = request.if_none_match.contains(etag)
            else:
                since = request.if_modified_since
                fresh = since is not None and since >= modified
            if fresh:
                response = make_response("", 304)
            else:
                response = _page(view, kwargs, etag, shared=who is None)
                if response.status_code != 200:
                    return response
            response.set_etag(etag)
            response.last_modified = modified
            response.headers["Cache-Control"] = control
            response.vary.add("Cookie")
            return response
        return wrapped
    return decorate


def _page(view, kwargs: dict, etag: str, shared: bool) -> Response:
    """The page in full: for a signed-out (`shared`) request the copy kept under its ETag,
    else the view's, kept for the next signed-out request when it may be shared."""
    if shared:
        kept = _cache_call(cache.get, etag)
        if kept is not None:
            body, content_type, headers = kept
            return Response(body, status=200, content_type=content_type, headers=headers)
    response = make_response(view(**kwargs))
    if shared and _shareable(response):
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in NOT_KEPT]
        _cache_call(cache.set, etag, (response.get_data(), response.content_type, headers))
    return response


def _shareable(response: Response) -> bool:
    """A whole 200 with nothing of one session in it: no CSRF token was rendered into it
    (a token is one session's) and the session, whose cookie it would set, is unchanged."""
    return (response.status_code == 200 and not response.is_streamed
            and not response.direct_passthrough and "csrf_token" not in g
            and not session.modified)


def _cache_call(method, *args):
    """The cache is a saving, not a store: if it fails (Redis down), render the page."""
    try:
        return method(*args)
    except Exception as err:  # noqa: BLE001 - any backend's failure means the same: no copy
        current_app.logger.warning("page cache unavailable: %s", err)
        return None
