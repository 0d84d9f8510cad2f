"""Migration 0018 (a letter's data digest) up and down; the schema is the models'."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of


def _columns() -> dict[str, dict]:
    return {c["name"]: c for c in inspect(db.engine).get_columns("letter")}


def test_0018_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0017_criterion_step")
    assert "data_sha256" not in _columns()
    upgrade(revision="0018_letter_data")
    column = _columns()["data_sha256"]
    assert column["nullable"]  # a letter issued before it has none, and is drawn to compare
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) == "letter"]
    assert diff == []
    downgrade(revision="0017_criterion_step")
    assert "data_sha256" not in _columns()
    upgrade()
