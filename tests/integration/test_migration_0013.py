"""Migration 0013 (selection questionnaire, financial standing) up and down on a database of
its own; the schema it makes is the models' (nothing left to autogenerate)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of

TABLES = {"sq_question", "sq_marker", "sq_answer_set", "sq_answer", "sq_mark",
          "financial_assessment", "accounts_year"}


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0013_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0011_suppliers")
    assert not TABLES & tables()
    upgrade(revision="0013_selection")
    assert TABLES <= tables()
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) in TABLES]
    assert diff == []
    downgrade(revision="0011_suppliers")
    assert not TABLES & tables()
    upgrade()
    assert TABLES <= tables()
