"""The public pages answer conditional requests: ETag, Last-Modified and Cache-Control on
every one, 304 to If-None-Match and If-Modified-Since while nothing they show changed, the
page again once something did (or the minute turned), and private for a signed-in user."""
from __future__ import annotations

from datetime import timedelta

import pytest

import clock
from tests.integration.notice_fixtures import draft, open_tender, publish
from tests.integration.signing_fixtures import SessionClient, client_for

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
