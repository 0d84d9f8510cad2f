"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL with
TEST_DATABASE_URL), emptied between tests, plus users of every role."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import text

from accounts.models import Organisation, User
from app import create_app
from extensions import cache, db, limiter

PASSWORD = "correct horse battery staple"
_HASH = None  # hashing is slow by design: hash once per run


def _database_url(tmpdir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmpdir}/test.db"


@pytest.fixture(scope="session")
def _app():
    tmpdir = tempfile.mkdtemp(prefix="tender-test-")
    os.environ["TENDER_INSTANCE"] = tmpdir
    url = _database_url(tmpdir)
    os.environ["DATABASE_URL"] = url  # so `flask` subprocesses in CLI tests use it too
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _normalise(url),
                      "WTF_CSRF_ENABLED": True, "SERVER_NAME": None})
    with app.app_context():
        if url.startswith("postgres"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield app
    with app.app_context():  # close pooled connections: unclosed ones are warnings (errors)
        db.session.remove()
        db.engine.dispose()


def _normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(autouse=True)
def _fresh_limits(request):
    """Each test starts with nothing counted by the throttles (Flask-Limiter's storage): the
    suite's app lives for the whole session, and one test's requests, or a module's cells,
    would otherwise use up another's limit. Tests without the suite's app are left alone."""
    if "_app" in request.fixturenames:
        with request.getfixturevalue("_app").app_context():
            limiter.reset()
    yield


@pytest.fixture()
def app(_app):
    with _app.app_context():
        yield _app
        db.session.rollback()
        _empty_tables()
        cache.clear()  # pages kept against data now gone: an emptied database counts again
        db.session.remove()


def _empty_tables():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    # the audit chain's anchor goes with the audit records it anchors (docs/audit.md)
    Path(current_app.config["AUDIT_ANCHOR_PATH"]).unlink(missing_ok=True)


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        from werkzeug.security import generate_password_hash
        _HASH = generate_password_hash(PASSWORD)
    return _HASH


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def users(app):
    """One user per role, all in the buying organisation except the supplier."""
    buyer = Organisation(name="Test Commissioner's Office", kind="buyer", decision_prefix="TST")
    supplier_org = Organisation(name="Test Supplier Ltd", kind="supplier")
    db.session.add_all([buyer, supplier_org])
    made = {}
    for role in ("admin", "officer", "evaluator", "finance", "supplier", "originating_officer",
                 "chief_executive", "monitoring_officer", "s151_officer", "commissioner"):
        u = User(email=f"{role}@example.org", name=role.replace("_", " ").title(), roles=role,
                 organisation=supplier_org if role == "supplier" else buyer)
        u.password_hash = _password_hash()
        db.session.add(u)
        made[role] = u
    db.session.commit()
    return made


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token the form at `path` carries (tests post real forms, CSRF on)."""
    import re

    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})


@pytest.fixture()
def login_as(client, users):
    def _login(role: str):
        resp = login(client, users[role].email)
        assert resp.status_code == 302, f"login as {role} failed"
        return users[role]

    return _login


def pytest_terminal_summary(terminalreporter):
    """Say how big the role x route matrix was, when it ran."""
    import sys

    matrix = sys.modules.get("tests.integration.test_access_matrix")
    if matrix is not None:
        m = matrix.MATRIX
        terminalreporter.write_line(f"role x route matrix: {m['routes']} routes (method and path) x "
                                    f"{m['persons']} people = {m['cells']} cells")
