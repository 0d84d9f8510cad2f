"""Bids at the deadline, through real concurrent HTTP requests against the app served by a
threaded werkzeug server (SQLite here, PostgreSQL with TEST_DATABASE_URL): suppliers at once
are all stored; a burst straddling the deadline stores only versions received before it and
refuses the rest with nothing stored; one supplier at once gets distinct version numbers.

The server's clock is monkeypatched in this process (the server's threads share it). For the
burst it ticks one microsecond a call, starting so that the deadline passes within the
burst: each POST reads the clock the same number of times (`per_post`, measured), the last
read being the one after the lock, so with T = N*per_post - 1 the first lock holder is surely
before the deadline and the last surely after it, however the threads interleave.
"""
from __future__ import annotations

import http.client
import io
import re
import threading
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.serving import make_server
from werkzeug.test import encode_multipart

import clock
from extensions import db
from procurement.bids.models import BidDocument, BidVersion, StoredFile
from procurement.models import Bid, Bidder
from procurement.states import tender_deadline_utc
from tests.conftest import PASSWORD
from tests.integration.bid_fixtures import PDF, bid_path, opportunity, supplier

TICK = timedelta(microseconds=1)


class Clock:
    """Fixed at `at`, or ticking `tick` a call; counts its calls."""

    def __init__(self, at):
        self.at, self.tick, self.calls, self.lock = at, None, 0, threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
            if self.tick is not None:
                self.at += self.tick
            return self.at


class Browser:
    """A person's HTTP client: its own cookies, no redirects followed."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def open(self, method, path, body=None, content_type=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            for header in resp.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                self.cookies.update({k: m.value for k, m in jar.items()})
            return resp.status, resp.headers.get("Location", ""), text
        finally:
            conn.close()

    def token(self, path):
        status, _, html = self.open("GET", path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        assert status == 200 and match, (path, status, html[:300])
        return match.group(1)

    def sign_in(self, email):
        body = urlencode({"email": email, "password": PASSWORD,
                          "csrf_token": self.token("/login")})
        status, location, _ = self.open("POST", "/login", body,
                                        "application/x-www-form-urlencoded")
        assert status == 302 and "/login" not in location, (email, status, location)

    def bid(self, path, csrf, name="proposal.pdf", body=PDF, price="100000"):
        boundary, data = encode_multipart({
            "csrf_token": csrf, "price": price,
            "documents": FileStorage(io.BytesIO(body), name)})
        return self.open("POST", path, data, f"multipart/form-data; boundary={boundary}")


@pytest.fixture()
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=30)


@pytest.fixture()
def tender(app, users):
    return opportunity(app, users)


def at_once(jobs):
    """Run the callables in threads released together; their results in order."""
    barrier, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
            results[i] = ("error", "", repr(exc))

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def suppliers_signed_in(app, port, n, path):
    out = []
    for i in range(n):
        user, _ = supplier(app, f"Supplier {i:02d} Ltd", f"bids{i}@s{i}.example.org")
        browser = Browser(port)
        browser.sign_in(user.email)
        out.append((user, browser, browser.token(path)))
    return out


def received() -> list[BidVersion]:
    db.session.expire_all()
    return list(db.session.scalars(select(BidVersion).where(BidVersion.number.is_not(None))
                                   .order_by(BidVersion.received_at)))


def test_suppliers_at_once_just_before_the_deadline_are_all_stored(app, tender, served,
                                                                    monkeypatch):
    deadline = tender_deadline_utc(tender)
    fake = Clock(deadline - timedelta(minutes=5))
    monkeypatch.setattr(clock, "utcnow", fake)
    path = bid_path()
    people = suppliers_signed_in(app, served, 6, path)
    fake.at, fake.tick = deadline - timedelta(seconds=1), TICK
    results = at_once([lambda b=b, t=t, i=i: b.bid(path, t, f"bid-{i}.pdf", PDF + bytes([i]))
                       for i, (_, b, t) in enumerate(people)])
    assert [r[0] for r in results] == [302] * 6, results
    assert all(r[1].endswith("/bid/receipt/1") for r in results)
    versions = received()
    assert len(versions) == 6 and {v.number for v in versions} == {1}
    assert all(v.received_at < deadline and v.state == "submitted" for v in versions)
    assert len({v.bid_id for v in versions}) == 6
    assert db.session.scalar(select(func.count()).select_from(Bidder)) == 6
    assert {b.name for b in db.session.scalars(select(Bidder))} == {
        u.organisation.name for u, _, _ in people}


def test_a_burst_straddling_the_deadline_stores_nothing_late(app, tender, served,
                                                             monkeypatch):
    deadline = tender_deadline_utc(tender)
    fake = Clock(deadline - timedelta(minutes=5))
    monkeypatch.setattr(clock, "utcnow", fake)
    path = bid_path()
    n = 8
    people = suppliers_signed_in(app, served, n + 1, path)
    # one POST alone measures how often a POST reads the clock
    user0, b0, t0 = people.pop()
    calls = fake.calls
    assert b0.bid(path, t0)[0] == 302
    per_post = fake.calls - calls
    stored_before = received()
    assert len(stored_before) == 1
    files_before = db.session.scalar(select(func.count()).select_from(StoredFile))

    budget = n * per_post - 1  # the calls before the deadline passes
    fake.at, fake.tick = deadline - budget * TICK - TICK, TICK
    results = at_once([lambda b=b, t=t, i=i: b.bid(path, t, f"late-{i}.pdf", PDF + bytes([i]))
                       for i, (_, b, t) in enumerate(people)])
    fake.tick = None
    assert fake.at >= deadline
    accepted = [r for r in results if r[0] == 302]
    refused = [r for r in results if r[0] != 302]
    assert accepted and refused, results  # the deadline passed mid-burst
    for status, _, html in refused:
        assert status == 409 and "The tender deadline passed" in html, (status, html[:500])
    versions = received()
    new = [v for v in versions if v.id not in {s.id for s in stored_before}]
    assert len(new) == len(accepted)
    assert all(v.received_at < deadline for v in versions)
    # nothing of a refused bid is stored: no version, document or file
    names = {d.name for d in db.session.scalars(select(BidDocument))}
    assert len(names) == 1 + len(accepted)
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == \
        files_before + len(accepted)
    assert db.session.scalar(select(func.count()).select_from(Bid)) == 1 + len(accepted)


def test_one_supplier_at_once_gets_distinct_version_numbers(app, tender, served, monkeypatch):
    deadline = tender_deadline_utc(tender)
    fake = Clock(deadline - timedelta(minutes=5))
    monkeypatch.setattr(clock, "utcnow", fake)
    path = bid_path()
    (_, browser, csrf), = suppliers_signed_in(app, served, 1, path)
    fake.tick = TICK
    results = at_once([lambda i=i: browser.bid(path, csrf, f"v{i}.pdf", PDF + bytes([i]))
                       for i in range(6)])
    assert [r[0] for r in results] == [302] * 6, results
    assert sorted(int(r[1].rsplit("/", 1)[1]) for r in results) == [1, 2, 3, 4, 5, 6]
    versions = received()
    assert sorted(v.number for v in versions) == [1, 2, 3, 4, 5, 6]
    assert len({v.bid_id for v in versions}) == 1
    newest = max(versions, key=lambda v: v.number)
    assert newest.state == "submitted"
    assert all(v.state == "superseded" for v in versions if v is not newest)
    # the numbers follow the order of receipt
    assert [v.number for v in versions] == [1, 2, 3, 4, 5, 6]
