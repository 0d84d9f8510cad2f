"""Migration 0003_sessions (session generation, sessions, throttle counters) up and down, with
a user in the database, on a database of its own: SQLite, or with TEST_DATABASE_URL a schema
of its own in PostgreSQL."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from extensions import db
from tests.conftest import _normalise

SCHEMA = "migration_0003"


@pytest.fixture()
def fresh(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgres"):
        url = _normalise(url)
        engine = create_engine(url)
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"
    else:
        engine, url = None, f"sqlite:///{tmp_path}/migrations.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if engine is not None:
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


def tables():
    return set(inspect(db.engine).get_table_names())


def user_columns():
    return {c["name"] for c in inspect(db.engine).get_columns("user")}


def test_0003_adds_sessions_and_keeps_users(fresh):
    upgrade(revision="0002")
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO \"user\" (email, name, password_hash, roles, active, "
                       "created_at) VALUES ('a@example.org', 'A', 'x', 'officer', true, "
                       "'2024-05-02 09:00:00')"))
    upgrade(revision="0003_sessions")
    assert {"user_session", "throttle_counter"} <= tables()
    with db.engine.begin() as c:
        assert c.execute(text("SELECT email, session_generation FROM \"user\"")).all() == [
            ("a@example.org", 1)]
        user_id = c.execute(text("SELECT id FROM \"user\"")).scalar()
        c.execute(text("INSERT INTO user_session (token_hash, user_id, generation, created_at, "
                       "last_seen_at) VALUES ('h', :u, 1, '2024-05-02 09:00:00', "
                       "'2024-05-02 09:00:00')"), {"u": user_id})
        c.execute(text("INSERT INTO throttle_counter (bucket, hits, expires_at) "
                       "VALUES ('k', 1, 1.5)"))
    downgrade(revision="0002")
    assert "session_generation" not in user_columns()
    assert not {"user_session", "throttle_counter"} & tables()
    with db.engine.begin() as c:
        assert c.execute(text("SELECT email FROM \"user\"")).scalars().all() == ["a@example.org"]
    upgrade(revision="0003_sessions")
    assert "session_generation" in user_columns()
