"""The DocuSign Connect webhook bounds its body before it authenticates it (issue 10, item 4).

An unauthenticated body is never held in memory: over the limit by Content-Length it is
refused unread (413), without a signature unread (401), and otherwise it streams through
the HMAC in chunks. The request bodies here are generated as they are read, so the test
itself holds none of them.
"""
from __future__ import annotations

import json
import tracemalloc

import pytest

from tests.integration.signing_fixtures import event, sign
from tests.integration.test_webhook import counts, hmac_key, sent  # noqa: F401

URL = "/integrations/docusign/connect"
MB = 1024 * 1024


class Body:
    """A request body of `size` bytes made as it is read, noting how it is read."""

    def __init__(self, size: int, prefix: bytes = b""):
        self.size, self.prefix = size, prefix
        self.read_bytes, self.largest_read, self.reads = 0, 0, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        self.reads += 1
        self.largest_read = max(self.largest_read, n)
        start = self.read_bytes
        self.read_bytes += n
        head = self.prefix[start:start + n]
        return head + b"x" * (n - len(head))



def _post(client, body: Body, length: int | None, **headers):
    """POST `body` with that Content-Length, or when None chunked (as gunicorn passes it)."""
    overrides = {"wsgi.input": body}
    if length is None:
        overrides.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    else:
        overrides["CONTENT_LENGTH"] = str(length)
    return client.post(URL, headers={"Content-Type": "application/json", **headers},
                       environ_overrides=overrides)


def test_a_body_over_the_limit_by_content_length_is_refused_unread(app, client, sent):  # noqa: F811
    before = counts()
    body = Body(200 * MB)
    resp = _post(client, body, 200 * MB, **{"X-DocuSign-Signature-1": "anything"})
    assert resp.status_code == 413
    assert resp.get_json() == {"status": 413, "message": "the body is over the 100 MB allowed"}
    assert body.reads == 0 and counts() == before


def test_the_limit_is_a_setting(app, client, sent):  # noqa: F811
    app.config["DOCUSIGN_CONNECT_MAX_MB"] = 1
    try:
        resp = _post(client, Body(MB + 1), MB + 1, **{"X-DocuSign-Signature-1": "x"})
    finally:
        app.config["DOCUSIGN_CONNECT_MAX_MB"] = 100
    assert resp.status_code == 413 and "over the 1 MB allowed" in resp.get_json()["message"]


def test_an_unsigned_body_is_refused_unread(app, client, sent):  # noqa: F811
    before = counts()
    body = Body(99 * MB)
    resp = _post(client, body, 99 * MB)
    assert resp.status_code == 401 and body.reads == 0 and counts() == before


def test_a_wrongly_signed_large_body_streams_through_the_hmac_in_chunks(app, client, sent):  # noqa: F811
    """Before: request.get_data() read all 30 MB at once into memory, then checked."""
    before = counts()
    body = Body(30 * MB)
    tracemalloc.start()
    try:
        resp = _post(client, body, 30 * MB, **{"X-DocuSign-Signature-1": sign(b"other")})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.status_code == 401 and counts() == before
    assert body.read_bytes == 30 * MB and body.largest_read <= 64 * 1024
    assert peak < 4 * MB, f"{peak / MB:.1f} MB held while authenticating"


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(app, client, sent):  # noqa: F811
    app.config["DOCUSIGN_CONNECT_MAX_MB"] = 1
    body = Body(5 * MB)
    try:
        resp = _post(client, body, None, **{"X-DocuSign-Signature-1": "x"})
    finally:
        app.config["DOCUSIGN_CONNECT_MAX_MB"] = 100
    assert resp.status_code == 413 and resp.get_json()["message"].startswith("the body is over")
    assert body.read_bytes <= MB + 1


@pytest.mark.parametrize("chunked", [False, True])
def test_a_signed_body_read_in_chunks_is_the_body_authenticated(app, client, sent, chunked):  # noqa: F811
    _, envelope_id = sent
    data = event("recipient-completed", envelope_id, "1")
    body = Body(len(data), data)
    resp = _post(client, body, None if chunked else len(data),
                 **{"X-DocuSign-Signature-1": sign(data)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert json.loads(resp.get_data())["message"] == "signature recorded"
