"""storage.send: the one way a stored file leaves the app (a bid's documents, SQ evidence, the
panel's downloads and previews): hash checked first, never cached or sniffed."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import update
from werkzeug.exceptions import Conflict

from extensions import db
from procurement.bids import storage
from procurement.bids.models import FileChunk


def _stored(data: bytes = b"%PDF-1.4 some bytes"):
    stored = storage.store(io.BytesIO(data), "application/pdf")
    db.session.commit()
    return stored


def test_an_attachment_streams_the_bytes_with_its_headers(app):
    with app.test_request_context():
        resp = storage.send(_stored(), 'my "bid".pdf', "application/pdf")
        assert b"".join(resp.response) == b"%PDF-1.4 some bytes"
        assert resp.mimetype == "application/pdf"
        assert resp.headers["Content-Length"] == str(len(b"%PDF-1.4 some bytes"))
        assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
        assert '"bid"' not in resp.headers["Content-Disposition"]  # the name made safe
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Cache-Control"] == "private, no-store"


def test_inline_is_shown_not_saved(app):
    with app.test_request_context():
        resp = storage.send(_stored(), "a.pdf", "application/pdf", inline=True)
        assert resp.headers["Content-Disposition"] == 'inline; filename="a.pdf"'


def test_bytes_that_no_longer_match_their_hash_are_refused(app):
    stored = _stored()
    db.session.execute(update(FileChunk).where(FileChunk.file_id == stored.id)
                       .values(data=b"tampered"))
    db.session.commit()
    with app.test_request_context(), pytest.raises(Conflict):
        storage.send(stored, "a.pdf", "application/pdf")
