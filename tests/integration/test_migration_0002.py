"""Migration 0002 (webhook events: outcome, reason, message) up and down, with data, on a
database of its own: SQLite, or with TEST_DATABASE_URL a schema of its own in PostgreSQL."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from extensions import db
from tests.conftest import _normalise

SCHEMA = "migration_0002"
ROW = ("INSERT INTO webhook_event (event_key, envelope_id, event, body, received_at{extra}) "
       "VALUES (:key, 'env-1', 'recipient-completed', '{{}}', '2024-05-02 09:30:00'{values})")


@pytest.fixture()
def fresh(tmp_path):
    """An app on an empty database, its context pushed."""
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
        if engine is not None:  # really on a schema of its own, not the suite's
            with db.engine.connect() as c:
                assert c.execute(text("SELECT current_schema()")).scalar() == SCHEMA
        yield app
        db.session.remove()
        db.engine.dispose()
    if engine is not None:
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


def columns():
    return {c["name"] for c in inspect(db.engine).get_columns("webhook_event")}


def test_0002_keeps_existing_events_as_recorded_and_frees_refused_keys(fresh):
    upgrade(revision="0001")
    assert "outcome" not in columns()
    with db.engine.begin() as c:
        c.execute(text(ROW.format(extra="", values="")), {"key": "recipient-completed|env-1|1"})

    upgrade()
    assert {"outcome", "reason", "message"} <= columns()
    with db.engine.begin() as c:
        assert c.execute(text("SELECT outcome, reason FROM webhook_event")).all() == [
            ("recorded", None)]
        # refused deliveries of a key may repeat, beside one recorded delivery of it
        for key in ("recipient-completed|env-1|3", "recipient-completed|env-1|3",
                    "recipient-completed|env-1|1"):
            c.execute(text(ROW.format(extra=", outcome, reason",
                                      values=", 'refused', 'out_of_order'")), {"key": key})
        c.execute(text(ROW.format(extra="", values="")), {"key": "recipient-completed|env-1|3"})
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(ROW.format(extra="", values="")), {"key": "recipient-completed|env-1|1"})

    downgrade(revision="0001")
    assert "outcome" not in columns()
    with db.engine.begin() as c:  # refused events go; recorded ones stay, unique again
        assert sorted(c.execute(text("SELECT event_key FROM webhook_event")).scalars()) == [
            "recipient-completed|env-1|1", "recipient-completed|env-1|3"]
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(ROW.format(extra="", values="")), {"key": "recipient-completed|env-1|1"})
    upgrade()
    assert "outcome" in columns()
