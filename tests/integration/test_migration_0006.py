"""Migration 0006 (electronic submission; key date-times kept in UTC) up and down, with data,
on a database of its own: SQLite, or with TEST_DATABASE_URL a schema of its own in PostgreSQL
(the `fresh` fixture of the 0002 test)."""
from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from extensions import db
from tests.integration.migration_fixtures import fresh  # noqa: F401 (a fixture)


def procurement_columns():
    return {c["name"] for c in inspect(db.engine).get_columns("procurement")}


def dates():
    with db.engine.connect() as c:
        rows = c.execute(text("SELECT kind, at FROM timeline_date ORDER BY kind")).all()
    return {kind: at if isinstance(at, datetime) else datetime.fromisoformat(at)
            for kind, at in rows}


def test_0006_converts_key_date_times_to_utc_and_back(fresh):  # noqa: F811
    upgrade(revision="0002")
    assert "electronic_submission" not in procurement_columns()
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (id, name, kind) VALUES (1, 'Buyer', 'buyer')"))
        c.execute(text(
            "INSERT INTO procurement (id, reference, title, description, organisation_id, regime,"
            " relates_to, initial_term_years, extension_years, cpv_codes, region, state,"
            " created_at) VALUES (1, 'M-1', 'T', '', 1, 'PA2023-OPEN', '', 3, '', '', '',"
            " 'draft', '2025-01-01 09:00:00')"))
        for kind, at, with_time in (("tender_deadline", "2025-07-01 12:00:00", True),  # BST
                                    ("clarification_deadline", "2025-01-06 17:00:00", True),
                                    ("itt_published", "2025-06-02 00:00:00", False)):
            c.execute(text("INSERT INTO timeline_date (procurement_id, kind, at, with_time) "
                           "VALUES (1, :kind, :at, :with_time)"),
                      {"kind": kind, "at": at, "with_time": with_time})

    upgrade(revision="0006_timeline")
    assert "electronic_submission" in procurement_columns()
    with db.engine.connect() as c:
        assert c.execute(text("SELECT electronic_submission FROM procurement")).scalar() in (
            True, 1)
    assert dates() == {"tender_deadline": datetime(2025, 7, 1, 11, 0),
                       "clarification_deadline": datetime(2025, 1, 6, 17, 0),  # GMT
                       "itt_published": datetime(2025, 6, 2, 0, 0)}  # a date: untouched

    downgrade(revision="0002")
    assert "electronic_submission" not in procurement_columns()
    assert dates() == {"tender_deadline": datetime(2025, 7, 1, 12, 0),
                       "clarification_deadline": datetime(2025, 1, 6, 17, 0),
                       "itt_published": datetime(2025, 6, 2, 0, 0)}
