"""Migration 0011 (supplier accounts) up and down on a database of its own: existing
organisations stay active and existing users are not pending; the schema it makes is the
models' (nothing left to autogenerate)."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from extensions import db
from tests.integration.migration_fixtures import columns, fresh, schema_diff  # noqa: F401

ORGANISATION = {"identifier_scheme", "identifier", "address", "contact_name", "contact_phone",
                "sme", "vcse", "active"}
USER = {"pending", "email_confirmed_at"}


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
    assert schema_diff({"organisation", "user"}) == []
    downgrade(revision="0010_bids")
    assert not ORGANISATION & columns("organisation") and not USER & columns("user")
    upgrade()
    assert ORGANISATION <= columns("organisation")
