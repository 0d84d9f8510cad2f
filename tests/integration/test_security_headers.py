"""Security headers on every response (issue 10, item 3), and pages the policy lets work.

Walks every GET route of `app.url_map` in the matrix's world (the demo, a note sent for
signature) as a signed-out visitor and as the officer, plus a 404, static and GOV.UK files,
a PDF, a CSV, a workbook and a JSON answer: each carries the headers; no HTML page has an
inline script, an inline style or an event-handler attribute (the policy would block them);
HSTS only in production; the Server header names no version, behind Werkzeug or gunicorn.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import security
from tests.integration.test_access_matrix import DEMO, EXTRA, PASSWORD, REF, _url
from tests.integration.test_access_matrix import world  # noqa: F401 - the matrix's demo

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self'; font-src 'self'; connect-src 'self'; "
                                "object-src 'none'; base-uri 'self'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "an inline script"),
    (re.compile(r"<style\b", re.I), "a style element"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "a javascript: URL"),
]


def assert_secure(resp, where: str) -> None:
    for name, value in EXPECTED.items():
        assert resp.headers.get(name) == value, f"{where}: {name} is {resp.headers.get(name)!r}"
    permissions = resp.headers.get("Permissions-Policy", "")
    assert "camera=()" in permissions and "geolocation=()" in permissions, where
    assert "Strict-Transport-Security" not in resp.headers, f"{where}: HSTS outside production"
    assert "Server" not in resp.headers, f"{where}: the app set Server (the WSGI server does)"
    if resp.mimetype == "text/html":
        html = resp.get_data(as_text=True)
        for pattern, what in INLINE:
            found = pattern.search(html)
            assert not found, f"{where} has {what}: {found.group(0)[:120]}"


@pytest.fixture(scope="module")
def people(_app, world):  # noqa: F811
    made = {"anonymous": _app.test_client()}
    for person in ("officer", "supplier"):
        client = _app.test_client()
        email = DEMO.get(person) or EXTRA[person][0]
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        made[person] = client
    return made


def _get_routes():
    from app import app

    return sorted({(r.endpoint, r.rule) for r in app.url_map.iter_rules()
                   if "GET" in (r.methods or ())}, key=lambda t: t[1])


@pytest.mark.parametrize("endpoint,rule", _get_routes(), ids=[r for _, r in _get_routes()])
def test_every_get_route_carries_the_headers(_app, world, people, endpoint, rule):  # noqa: F811
    url = _url(_app, endpoint, rule, world)
    for person, client in people.items():
        resp = client.get(url)
        assert_secure(resp, f"GET {url} as {person} ({resp.status_code})")
        if resp.mimetype == "application/pdf":
            assert resp.headers["Content-Disposition"].startswith("attachment"), url
        resp.close()


@pytest.mark.parametrize("path,status,mimetype", [
    ("/no/such/page", 404, "text/html"),
    ("/static/css/app.css", 200, "text/css"),
    ("/static/js/supported.js", 200, "text/javascript"),
    (f"/procurements/{REF}/decision-note/note.pdf", 200, "application/pdf"),
    (f"/evaluation/{REF}/lots/A/results.csv", 200, "text/csv"),
    (f"/evaluation/{REF}/workbook.xlsx", 200,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_representative_responses(_app, world, people, path, status, mimetype):  # noqa: F811
    resp = people["officer"].get(path)
    assert (resp.status_code, resp.mimetype) == (status, mimetype)
    assert_secure(resp, path)
    resp.close()


def test_a_json_answer_and_a_refused_post_carry_them(_app, world, people):  # noqa: F811
    resp = people["anonymous"].post("/integrations/docusign/connect", data=b"{}")
    assert resp.status_code == 401 and resp.mimetype == "application/json"
    assert_secure(resp, "the webhook's 401")
    resp = people["supplier"].post(f"/procurements/{REF}/decision-note", data={})
    assert resp.status_code in (403, 404)
    assert_secure(resp, "a refused POST")


def test_govuk_assets_carry_them(_app, world, people):  # noqa: F811
    if not (ROOT / "static" / "govuk" / "govuk-frontend.min.js").exists():
        pytest.skip("GOV.UK Frontend assets not copied into static/govuk (make assets)")
    resp = people["anonymous"].get("/assets/govuk-frontend.min.js")
    assert resp.status_code == 200
    assert_secure(resp, "/assets/govuk-frontend.min.js")
    resp.close()


def test_hsts_only_in_production(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("TENDER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 32)
    monkeypatch.setenv("AUDIT_ANCHOR_PATH", str(tmp_path / "audit-anchor.log"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    resp = app.test_client().get("/static/css/app.css")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert resp.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]
    resp.close()
    assert security.headers(production=False).keys() == \
        security.headers(production=True).keys() - {"Strict-Transport-Security"}


def test_a_view_may_set_its_own_header():
    from flask import Flask

    app = Flask(__name__)
    security.register(app)

    @app.route("/own")
    def own():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN"}

    resp = app.test_client().get("/own")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_our_page_template_is_govuk_frontend_jinjas_but_for_the_inline_script():
    """templates/govuk_page.html is a copy: when the package changes, copy it again."""
    import govuk_frontend_jinja

    theirs = (Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
              ).read_text().splitlines()
    ours = (ROOT / "templates" / "govuk_page.html").read_text().split("-#}\n", 1)[1].splitlines()
    changed = [(a, b) for a, b in zip(theirs, ours) if a != b]
    assert len(theirs) == len(ours) and len(changed) == 1, changed
    (old, new), = changed
    assert "js-enabled" in old and "<script" in old and "src=" not in old
    assert new.strip() == "<script src=\"{{ url_for('static', filename='js/supported.js') }}\"></script>"
    assert "js-enabled" in (ROOT / "static" / "js" / "supported.js").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _headers(url: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                resp.read()  # the whole body: the server ends its response (and closes the
                return resp.status, resp.headers  # file it sends) before it is shut down
        except urllib.error.HTTPError as error:  # an answer all the same
            return error.code, error.headers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_werkzeugs_server_names_no_version(_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers = _headers(f"http://127.0.0.1:{server.server_port}/static/css/app.css")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 200
    assert headers.get_all("Server") == ["Tender"]
    assert headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]


def test_gunicorn_names_no_version(tmp_path):
    """The app served as in production (gunicorn, two workers): one Server header, versionless."""
    pytest.importorskip("gunicorn", reason="gunicorn is not installed")
    port = _free_port()
    env = dict(os.environ, TENDER_INSTANCE=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path}/g.db", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        status, headers = _headers(f"http://127.0.0.1:{port}/static/css/app.css")
        page_status, page = _headers(f"http://127.0.0.1:{port}/no/such/page")
    except OSError:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode(errors="replace")
        raise AssertionError(f"gunicorn did not answer:\n{output[-3000:]}") from None
    finally:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=20)
    assert (status, page_status) == (200, 404)
    for answer in (headers, page):
        assert answer.get_all("Server") == ["gunicorn"]  # no version, and not the app's too
        for name, value in EXPECTED.items():
            assert answer[name] == value, name
