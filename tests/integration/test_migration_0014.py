"""Migration 0014 (data version) up and down on a database of its own; the schema it makes
is the models' (nothing left to autogenerate), and counters add up in one statement."""
from sqlalchemy import text

from extensions import db
from tests.integration.migration_fixtures import (columns, fresh,  # noqa: F401  (the fixture)
                                                  table_names, up_and_down)

COUNTERS = {"figures_version", "narrative_version", "annexes_version"}


def made() -> set[str]:
    return ({"data_version"} & table_names()) | (COUNTERS & columns("note_version"))


def test_0014_up_and_down(fresh):  # noqa: F811
    with up_and_down("0014_data_version", {"data_version", "note_version"},
                     before="0013_selection", made=made, wanted={"data_version"} | COUNTERS):
        _counters_add_up()


def _counters_add_up():
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
