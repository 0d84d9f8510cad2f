"""Migration 0008 (notices, tender documents, clarifications, interest) up and down, on a
database of its own, and the schema it makes is the models' (nothing left to autogenerate)."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from extensions import db
from tests.integration.migration_fixtures import fresh, table_of, up_and_down  # noqa: F401

TABLES = {"notice", "tender_document", "clarification", "interest"}


_table_of = table_of  # the name later migration tests on other branches import from here


def test_0008_up_and_down_and_its_partial_unique_indexes(fresh):  # noqa: F811
    with up_and_down("0008_notices", TABLES, before="0002"):
        _one_original_and_one_correction_published()


def _one_original_and_one_correction_published():
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text("INSERT INTO procurement (reference, title, description, organisation_id, "
                       "regime, relates_to, initial_term_years, extension_years, cpv_codes, "
                       "region, state, created_at) VALUES ('R-1', 'T', '', 1, 'PCR2015-OPEN', '', "
                       "1, '', '', '', 'draft', '2031-01-01 00:00:00')"))
        row = ("INSERT INTO notice (procurement_id, kind, state, call_for_competition, "
               "supersedes_id, created_at, created_by) VALUES (1, 'PIN', :state, false, :sup, "
               "'2031-01-01 00:00:00', '')")
        c.execute(text(row), {"state": "published", "sup": None})
        c.execute(text(row), {"state": "draft", "sup": None})  # drafts are free
        c.execute(text(row), {"state": "published", "sup": 1})  # a correction
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(row), {"state": "published", "sup": None})  # a second original
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(row), {"state": "published", "sup": 1})  # a second correction of 1
