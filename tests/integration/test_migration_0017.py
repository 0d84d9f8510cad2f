"""Migration 0017 (a step per criterion, a description per section) up and down; the
schema is the models'."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of

TABLES = ("criterion", "section_description")


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_0017_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0016_score_progress")
    assert "score_step" not in _columns("criterion")
    assert "section_description" not in inspect(db.engine).get_table_names()
    upgrade(revision="0017_criterion_step")
    assert "score_step" in _columns("criterion")
    assert {"procurement_id", "section", "description"} <= _columns("section_description")
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) in TABLES]
    assert diff == []
    downgrade(revision="0016_score_progress")
    assert "score_step" not in _columns("criterion")
    assert "section_description" not in inspect(db.engine).get_table_names()
    upgrade()
