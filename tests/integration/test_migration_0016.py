"""Migration 0016 (the progress index on scores) up and down; the schema is the models'."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of


def _indexes() -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes("score")}


def test_0016_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0015_jobs")
    assert "ix_score_progress" not in _indexes()
    upgrade(revision="0016_score_progress")
    assert "ix_score_progress" in _indexes()
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) == "score"]
    assert diff == []
    downgrade(revision="0015_jobs")
    assert "ix_score_progress" not in _indexes()
    upgrade()
