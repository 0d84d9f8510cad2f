"""Migration 0015 (background jobs) up and down; the schema it makes is the models'."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of


def test_0015_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0014_data_version")
    assert "job" not in inspect(db.engine).get_table_names()
    upgrade(revision="0015_jobs")
    assert "job" in inspect(db.engine).get_table_names()
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) == "job"]
    assert diff == []
    downgrade(revision="0014_data_version")
    assert "job" not in inspect(db.engine).get_table_names()
    upgrade()
