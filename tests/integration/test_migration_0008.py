"""Migration 0008 (notices, tender documents, clarifications, interest) up and down, on a
database of its own, and the schema it makes is the models' (nothing left to autogenerate)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
import pytest

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)

TABLES = {"notice", "tender_document", "clarification", "interest"}


def _table_of(diff) -> str | None:
    if isinstance(diff, list):  # a list of column changes of one table
        diff = diff[0]
    if diff[0] in ("add_table", "remove_table"):
        return diff[1].name
    if diff[0] in ("add_index", "remove_index"):
        return diff[1].table.name
    return diff[2] if len(diff) > 2 and isinstance(diff[2], str) else None


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0008_up_and_down_and_its_partial_unique_indexes(fresh):  # noqa: F811
    upgrade(revision="0002")
    assert not TABLES & tables()
    upgrade(revision="0008_notices")
    assert TABLES <= tables()
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) in TABLES]  # later migrations' tables and columns aside
    assert diff == []
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text("INSERT INTO procurement (reference, title, description, organisation_id, "
                       "regime, relates_to, initial_term_years, extension_years, cpv_codes, "
                       "region, state, created_at) VALUES ('R-1', 'T', '', 1, 'PCR2015-OPEN', '', "
                       "1, '', '', '', 'draft', '2031-01-01 00:00:00')"))
        row = ("INSERT INTO notice (procurement_id, kind, state, call_for_competition, "
               "supersedes_id, created_at, created_by) VALUES (1, 'PIN', :state, false, :sup, "
               "'2031-01-01 00:00:00', '')")
        c.execute(text(row), {"state": "published", "sup": None})
        c.execute(text(row), {"state": "draft", "sup": None})  # drafts are free
        c.execute(text(row), {"state": "published", "sup": 1})  # a correction
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(row), {"state": "published", "sup": None})  # a second original
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(row), {"state": "published", "sup": 1})  # a second correction of 1
    downgrade(revision="0002")
    assert not TABLES & tables()
    upgrade()
    assert TABLES <= tables()
