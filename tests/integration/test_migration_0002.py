"""Migration 0002 (webhook events: outcome, reason, message) up and down, with data, on a
database of its own: SQLite, or with TEST_DATABASE_URL a schema of its own in PostgreSQL."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from extensions import db
from tests.integration.migration_fixtures import columns as columns_of
from tests.integration.migration_fixtures import fresh  # noqa: F401 (the fixture; older tests import it from here)

ROW = ("INSERT INTO webhook_event (event_key, envelope_id, event, body, received_at{extra}) "
       "VALUES (:key, 'env-1', 'recipient-completed', '{{}}', '2024-05-02 09:30:00'{values})")


def columns():
    return columns_of("webhook_event")


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
