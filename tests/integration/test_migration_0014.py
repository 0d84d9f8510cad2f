"""Migration 0014 (data version) up and down on a database of its own; the schema it makes
is the models' (nothing left to autogenerate), and counters add up in one statement."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of

COUNTERS = {"figures_version", "narrative_version", "annexes_version"}


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def version_columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("note_version")}


def test_0014_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0013_selection")
    assert "data_version" not in tables() and not COUNTERS & version_columns()
    upgrade(revision="0014_data_version")
    assert "data_version" in tables() and COUNTERS <= version_columns()
    with db.engine.connect() as c:
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) in {"data_version", "note_version"}]
    assert diff == []
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text("INSERT INTO procurement (reference, title, description, organisation_id, "
                       "regime, relates_to, initial_term_years, extension_years, cpv_codes, "
                       "region, state, created_at) VALUES ('R-1', 'T', '', 1, 'PCR2015-OPEN', '', "
                       "1, '', '', '', 'draft', '2031-01-01 00:00:00')"))
        from procurement.data_version import bump
        for _ in range(2):
            bump(c, [1], "figures")
        bump(c, [1], "annexes")
        assert c.execute(text("SELECT figures, narrative, annexes FROM data_version")
                         ).one() == (2, 0, 1)
    downgrade(revision="0013_selection")
    assert "data_version" not in tables() and not COUNTERS & version_columns()
    upgrade()
    assert "data_version" in tables()
