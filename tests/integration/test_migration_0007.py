"""Migration 0007_setup (kind of buyer, two-person opening, set-up finalised) up and down,
with a procurement already there, on a database of its own (SQLite, or PostgreSQL's own
schema with TEST_DATABASE_URL)."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from extensions import db
from tests.integration.migration_fixtures import fresh  # noqa: F401

NEW = {"buyer_kind", "two_person_opening", "setup_finalised_at"}


def columns():
    return {c["name"] for c in inspect(db.engine).get_columns("procurement")}


def test_0007_gives_existing_procurements_the_defaults_and_goes_back(fresh):  # noqa: F811
    upgrade(revision="0002")
    assert not NEW & columns()
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text(
            "INSERT INTO procurement (reference, title, description, organisation_id, regime, "
            "relates_to, initial_term_years, extension_years, cpv_codes, region, state, created_at) "
            "SELECT 'OLD-1', 'Old', '', id, 'PCR2015-LTR', '', 3, '1,1', '', '', 'draft', "
            "'2023-01-01 00:00:00' FROM organisation"))
    upgrade(revision="0007_setup")
    assert NEW <= columns()
    with db.engine.begin() as c:
        row = c.execute(text("SELECT buyer_kind, two_person_opening, setup_finalised_at "
                             "FROM procurement")).one()
    assert (row[0], bool(row[1]), row[2]) == ("sub_central", False, None)
    downgrade(revision="0002")
    assert not NEW & columns()
    with db.engine.begin() as c:
        assert c.execute(text("SELECT reference FROM procurement")).scalar() == "OLD-1"
