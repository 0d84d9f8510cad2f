"""Sealed-bid tests' helpers: a published opportunity (open_tender with its contract notice:
lots A and B, each with a price criterion, the deadline in 40 days), supplier organisations
and their signed-in clients, documents of each accepted type, and posting bids."""
from __future__ import annotations

import io
import re
import zipfile

from flask import g
from sqlalchemy import select

import mail
from accounts.models import Organisation, User
from extensions import db
from procurement.access import find_procurement
from tests.conftest import _password_hash
from tests.integration.notice_fixtures import open_tender, publish
from tests.integration.signing_fixtures import client_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def ods() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def opportunity(app, users, reference: str = "NT-OPEN-1", published: bool = True):
    p = open_tender(users["officer"].organisation, reference=reference)
    if published:
        publish(app, p.reference, "contract-notice")
    return find_procurement(reference)


def supplier(app, name: str, email: str) -> tuple[User, object]:
    """A supplier organisation with one user, and that user's signed-in client."""
    org = Organisation(name=name, kind="supplier")
    user = User(email=email, name=f"Bids at {name}", roles="supplier", organisation=org,
                password_hash=_password_hash())
    db.session.add_all([org, user])
    db.session.commit()
    return user, client_for(app, email)


def bid_path(reference: str = "NT-OPEN-1", code: str = "A") -> str:
    return f"/opportunities/{reference}/lots/{code}/bid"


def token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}: {html[:300]}"
    return match.group(1)


def post_bid(client, path: str = None, *, price="125000.00", documents=None, extra=None,
             csrf: str | None = None):
    """The contract's plain POST: csrf_token, price, documents (name, bytes) pairs."""
    path = path or bid_path()
    documents = [("proposal.pdf", PDF)] if documents is None else documents
    data = {"csrf_token": csrf or token(client, path),
            "documents": [(io.BytesIO(body), name) for name, body in documents]}
    if price is not None:
        data["price"] = price
    data.update(extra or {})
    return client.post(path, data=data, content_type="multipart/form-data")


def browser_bid(client, action="submit", path=None, *, price="125000.00", documents=None,
                lines=(), declaration=True, extra=None):
    fields = {"action": action, "line_description": [d for d, _ in lines],
              "line_amount": [a for _, a in lines]}
    if declaration:
        fields["declaration"] = "y"
    fields.update(extra or {})
    return post_bid(client, path, price=price, documents=documents, extra=fields)


def smtp_on(app, server, monkeypatch) -> None:
    """Send the app's mail to a real local SMTP server for this test."""
    monkeypatch.setitem(app.extensions, "mailman",
                        mail.mailer.init_mail({**app.config, **server.config}, app.testing))
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", server.config["MAIL_DEFAULT_SENDER"])


def forget_login():
    g.pop("_login_user", None)
