"""Migration 0011 (supplier accounts) up and down on a database of its own: existing
organisations stay active and existing users are not pending; the schema it makes is the
models' (nothing left to autogenerate)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from extensions import db
from tests.integration.test_migration_0002 import fresh  # noqa: F401  (the fixture)
from tests.integration.test_migration_0008 import _table_of

ORGANISATION = {"identifier_scheme", "identifier", "address", "contact_name", "contact_phone",
                "sme", "vcse", "active"}
USER = {"pending", "email_confirmed_at"}


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_0011_up_and_down(fresh):  # noqa: F811
    upgrade(revision="0010_bids")
    assert not ORGANISATION & columns("organisation") and not USER & columns("user")
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text('INSERT INTO "user" (email, name, password_hash, roles, active, '
                       "organisation_id, created_at, session_generation) VALUES ('a@b.c', 'A', "
                       "'x', 'officer', false, 1, '2031-01-01 00:00:00', 1)"))
    upgrade(revision="0011_suppliers")
    assert ORGANISATION <= columns("organisation") and USER <= columns("user")
    with db.engine.connect() as c:
        assert c.execute(text("SELECT active, sme FROM organisation")).one() in \
            [(True, None), (1, None)]
        assert c.execute(text('SELECT pending, email_confirmed_at FROM "user"')).one() in \
            [(False, None), (0, None)]  # a deactivated user is not a pending registration
        diff = [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if _table_of(d) in {"organisation", "user"}]
    assert diff == []
    downgrade(revision="0010_bids")
    assert not ORGANISATION & columns("organisation") and not USER & columns("user")
    upgrade()
    assert ORGANISATION <= columns("organisation")
