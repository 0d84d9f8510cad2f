"""Migration 0003_sessions (session generation, sessions, throttle counters) up and down, with
a user in the database, on a database of its own: SQLite, or with TEST_DATABASE_URL a schema
of its own in PostgreSQL."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from extensions import db
from tests.integration.migration_fixtures import columns, fresh  # noqa: F401 (the fixture)
from tests.integration.migration_fixtures import table_names as tables


def user_columns():
    return columns("user")


def test_0003_adds_sessions_and_keeps_users(fresh):  # noqa: F811
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
