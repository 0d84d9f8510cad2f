"""The public pages answer conditional requests: ETag, Last-Modified and Cache-Control on
every one, 304 to If-None-Match and If-Modified-Since while nothing they show changed, the
page again once something did (or the minute turned), and private for a signed-in user.

Signed out, a page is drawn once per ETag and kept server-side (procurement.conditional):
the view does not run again until what it shows changes, the query string is part of the
key, and nothing else is kept: no signed-in page, no refusal, no page with one session's
CSRF token or messages in it."""
from __future__ import annotations

from datetime import timedelta

import json
from datetime import date

import pytest
from cachelib import SimpleCache
from sqlalchemy import select

import clock
from extensions import cache, db
from procurement.access import find_procurement
from tests.integration.notice_fixtures import draft, open_tender, publish
from tests.integration.signing_fixtures import SessionClient, client_for
from tests.integration.test_clarifications import ANSWER, answer_and_publish, ask

REF = "NT-CACHE-1"
PAGES = ["/opportunities", "/opportunities?status=all", f"/opportunities/{REF}",
         f"/opportunities/{REF}/ocds.json", "/ocds/releases.json", "/decisions"]


@pytest.fixture()
def frozen(monkeypatch):
    """The clock held still (the minute is in the ETag); `moment["now"]` moves it."""
    moment = {"now": clock.utcnow().replace(second=5, microsecond=0)}
    monkeypatch.setattr(clock, "utcnow", lambda: moment["now"])
    return moment


@pytest.fixture()
def opportunity(app, users, frozen):
    open_tender(users["officer"].organisation, REF)
    return publish(app, REF, "contract-notice")


def anonymous(app) -> SessionClient:
    return SessionClient(app, app.response_class, use_cookies=True)


@pytest.mark.parametrize("page", PAGES)
def test_a_public_page_is_validated_and_answers_304(app, opportunity, page):
    client = anonymous(app)
    first = client.get(page)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(page, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag and "max-age" in again.headers["Cache-Control"]
    assert client.get(page, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(page, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_new_notice_changes_the_etag(app, opportunity):
    client = anonymous(app)
    before = {page: client.get(page).headers["ETag"] for page in PAGES if "decisions" not in page}
    draft(app, REF, "contract-notice", "--supersedes", str(opportunity))
    # a draft is not public: nothing changes
    assert all(client.get(page, headers={"If-None-Match": etag}).status_code == 304
               for page, etag in before.items())
    publish(app, REF, "contract-notice", "--supersedes", str(opportunity))
    for page, etag in before.items():
        assert client.get(page, headers={"If-None-Match": etag}).status_code == 200, page


def test_the_minute_turning_changes_the_etag(app, opportunity, frozen):
    client = anonymous(app)
    etag = client.get("/opportunities").headers["ETag"]
    frozen["now"] += timedelta(minutes=1)
    again = client.get("/opportunities", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_a_signed_in_page_is_private_and_its_own(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    page = f"/opportunities/{REF}"
    mine = supplier.get(page)
    assert mine.headers["Cache-Control"].startswith("private")
    public = anonymous(app).get(page)
    assert public.headers["ETag"] != mine.headers["ETag"]
    assert anonymous(app).get(page, headers={"If-None-Match": mine.headers["ETag"]}
                              ).status_code == 200


def test_unknown_or_unpublished_pages_are_not_validated(app, users, frozen):
    open_tender(users["officer"].organisation, "NT-DRAFT-1")
    client = anonymous(app)
    for page in ("/opportunities/NT-DRAFT-1", "/opportunities/NOPE/ocds.json",
                 "/decisions/NOPE"):
        got = client.get(page, headers={"If-None-Match": "*"})
        assert got.status_code == 404 and "ETag" not in got.headers


# -- kept server-side, for signed-out requests -------------------------------------------------

@pytest.fixture()
def drawn(monkeypatch):
    """The pages the public views drew (templates and JSON), in order: a page served from
    the server-side copy draws nothing."""
    import decisions.note.public_routes as notes
    import publication.routes as public

    seen = []

    def spy(real):
        def counting(*args, **kwargs):
            seen.append(args[0] if args and isinstance(args[0], str) else "json")
            return real(*args, **kwargs)
        return counting

    monkeypatch.setattr(public, "render_template", spy(public.render_template))
    monkeypatch.setattr(public, "_json", spy(public._json))
    monkeypatch.setattr(notes, "render_template", spy(notes.render_template))
    return seen


def test_by_default_each_worker_keeps_its_own_bounded_copies(app):
    assert isinstance(cache.cache, SimpleCache) and cache.cache._threshold == 500


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_out_page_is_drawn_once_per_state(app, opportunity, drawn, page):
    client = anonymous(app)
    first, again = client.get(page), client.get(page)
    assert len(drawn) == 1, drawn
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.content_type == first.content_type
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=60"
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in again.headers
    assert anonymous(app).get(page).get_data() == first.get_data() and len(drawn) == 1


@pytest.mark.parametrize("page", [f"/opportunities/{REF}/ocds.json", "/ocds/releases.json"])
def test_open_data_is_kept_as_json(app, opportunity, drawn, page):
    client = anonymous(app)
    first, again = client.get(page), client.get(page)
    assert drawn == ["json"]
    assert again.mimetype == "application/json" and again.content_type == first.content_type
    assert json.loads(again.get_data()) == json.loads(first.get_data())
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert again.headers["X-Content-Type-Options"] == "nosniff"


def test_the_query_string_is_part_of_the_key(app, opportunity, drawn):
    client = anonymous(app)
    title = find_procurement(REF).title
    pages = {q: client.get(f"/opportunities{q}").get_data(as_text=True)
             for q in ("", "?status=all", "?status=closed", "?status=closed&page=2")}
    assert len(drawn) == 4
    assert title in pages[""] and title in pages["?status=all"]
    assert title not in pages["?status=closed"]
    for q, html in pages.items():
        assert client.get(f"/opportunities{q}").get_data(as_text=True) == html
    assert len(drawn) == 4


def test_a_notice_published_shows_at_once(app, users, opportunity, drawn):
    client = anonymous(app)
    client.get("/opportunities"), client.get(f"/ocds/releases.json")
    open_tender(users["officer"].organisation, "NT-CACHE-2", title="Grounds maintenance")
    assert "Grounds maintenance" not in client.get("/opportunities").get_data(as_text=True)
    publish(app, "NT-CACHE-2", "contract-notice")
    assert "Grounds maintenance" in client.get("/opportunities").get_data(as_text=True)
    feed = json.loads(client.get("/ocds/releases.json").get_data())
    assert "NT-CACHE-2" in json.dumps(feed)


def test_an_answer_published_shows_at_once(app, users, opportunity, drawn):
    client, page = anonymous(app), f"/opportunities/{REF}"
    assert ANSWER not in client.get(page).get_data(as_text=True)
    p = find_procurement(REF)
    assert ask(client_for(app, users["supplier"].email), p).status_code == 302
    from procurement.notices.models import Clarification
    c_id = db.session.scalar(select(Clarification.id))
    assert ANSWER not in client.get(page).get_data(as_text=True)  # asked, not answered
    answer_and_publish(client_for(app, users["officer"].email), p, c_id)
    assert ANSWER in client.get(page).get_data(as_text=True)
    assert ANSWER in client.get(f"{page}/ocds.json").get_data(as_text=True)


def test_a_decision_published_shows_at_once(app, users, frozen, drawn, monkeypatch):
    from tests.integration.readonly_fixtures import send_note, sign_note
    from tests.integration.test_decision_note_fixtures import REF as NOTE, fill_note, make_tender

    monkeypatch.setattr(clock, "today", lambda: date(2023, 8, 1))
    p = make_tender(users["officer"].organisation)
    fill_note(p)
    db.session.commit()
    client = anonymous(app)
    assert NOTE not in client.get("/decisions").get_data(as_text=True)
    send_note(p, users)
    assert NOTE not in client.get("/decisions").get_data(as_text=True)  # sent, not signed
    assert len(drawn) == 1
    sign_note(p, users)
    assert f'href="/decisions/{NOTE}"' in client.get("/decisions").get_data(as_text=True)
    assert client.get(f"/decisions/{NOTE}").status_code == 200


def test_signed_in_pages_are_never_kept_nor_served_from_the_copy(app, users, opportunity,
                                                                  drawn):
    page = f"/opportunities/{REF}"
    supplier = client_for(app, users["supplier"].email)
    mine = supplier.get(page).get_data(as_text=True)
    assert "Signed in as" in mine
    public = anonymous(app).get(page).get_data(as_text=True)  # not the supplier's copy
    assert len(drawn) == 2 and "Signed in as" not in public
    assert supplier.get(page).get_data(as_text=True) == mine  # not the public copy
    assert len(drawn) == 3
    assert anonymous(app).get(page).get_data(as_text=True) == public and len(drawn) == 3


def test_nothing_signed_in_is_kept_even_without_a_form(app, users, opportunity):
    """Open data has no form and no token in it: signed in, it is still not kept."""
    page = f"/opportunities/{REF}/ocds.json"
    mine = client_for(app, users["supplier"].email).get(page)
    public = anonymous(app).get(page)
    assert mine.status_code == public.status_code == 200
    assert cache.get(mine.headers["ETag"].strip('"')) is None
    assert cache.get(public.headers["ETag"].strip('"')) is not None


def test_a_refusal_is_never_kept(app, users, frozen, drawn, monkeypatch):
    """A note deferred until 2 October: refused (403) the day before, but that refusal is
    not what the public gets on the day, though nothing in the database changed."""
    from tests.integration.readonly_fixtures import sign_off_note
    from tests.integration.test_decision_note_fixtures import REF as NOTE, fill_note, make_tender

    p = make_tender(users["officer"].organisation)
    fill_note(p, deferral=True, deferral_until="2023-10-02")
    db.session.commit()
    sign_off_note(p, users)
    client = anonymous(app)
    monkeypatch.setattr(clock, "today", lambda: date(2023, 10, 1))
    assert [client.get(f"/decisions/{NOTE}").status_code for _ in range(2)] == [403, 403]
    monkeypatch.setattr(clock, "today", lambda: date(2023, 10, 2))
    assert client.get(f"/decisions/{NOTE}").status_code == 200


def test_a_404_is_never_kept(app, opportunity, drawn, monkeypatch):
    """The page's validator finds it published, the view finds nothing (404): the next
    request, when the view finds it again, gets the page, not the 404."""
    import publication.routes as public

    page, real = f"/opportunities/{REF}", public.queries.published_notices
    monkeypatch.setattr(public.queries, "published_notices", lambda p: [])
    client = anonymous(app)
    assert client.get(page).status_code == 404
    monkeypatch.setattr(public.queries, "published_notices", real)
    assert client.get(page).status_code == 200


def test_waiting_messages_are_shown_not_the_kept_copy(app, opportunity, drawn):
    client = anonymous(app)
    kept = client.get("/opportunities").get_data(as_text=True)
    with client.session_transaction() as s:
        s["_flashes"] = [("success", "You have been signed out")]
    shown = client.get("/opportunities").get_data(as_text=True)
    assert "You have been signed out" in shown and "You have been signed out" not in kept
    assert client.get("/opportunities").get_data(as_text=True) == kept


def test_a_page_with_a_csrf_token_is_never_kept(app, opportunity, monkeypatch):
    """One session's token must not reach another: a page that drew one (here, a spy that
    does, in a session that already has its token, so the session is unchanged) is not kept."""
    import publication.routes as public
    from flask_wtf.csrf import generate_csrf

    drawn, real = [], public.render_template

    def with_token(*args, **kwargs):
        drawn.append(generate_csrf())
        return real(*args, **kwargs)

    client = anonymous(app)
    client.get("/login")  # the session gets its token now
    monkeypatch.setattr(public, "render_template", with_token)
    client.get("/opportunities"), client.get("/opportunities")
    assert len(drawn) == 2
    assert anonymous(app).get("/opportunities").status_code == 200 and len(drawn) == 3


def test_a_page_that_changed_its_session_is_never_kept(app, opportunity, monkeypatch):
    """Its answer sets that session's cookie: the copy would hand the session to others."""
    import publication.routes as public
    from flask import session

    drawn, real = [], public.render_template

    def remembering(*args, **kwargs):
        session["seen"] = len(drawn)
        drawn.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(public, "render_template", remembering)
    client = anonymous(app)
    assert "Set-Cookie" in client.get("/opportunities").headers
    assert "Set-Cookie" in anonymous(app).get("/opportunities").headers
    assert len(drawn) == 2


def test_a_failing_cache_only_costs_the_drawing(app, opportunity, drawn, monkeypatch):
    def down(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    client = anonymous(app)
    assert [client.get("/opportunities").status_code for _ in range(2)] == [200, 200]
    assert len(drawn) == 2
