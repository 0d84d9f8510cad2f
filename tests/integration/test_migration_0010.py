"""Migration 0010 (sealed bids) up and down on a database of its own; the schema it makes is
the models' (nothing left to autogenerate), and a version number is unique per bid."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from extensions import db
from tests.integration.migration_fixtures import (columns, fresh,  # noqa: F401  (the fixture)
                                                  table_names, up_and_down)

TABLES = {"stored_file", "file_chunk", "bid_version", "bid_document", "bid_price_line",
          "bid_opening"}


def made() -> set[str]:
    return (TABLES & table_names()) | ({"source"} & columns("bid"))


def test_0010_up_and_down(fresh):  # noqa: F811
    with up_and_down("0010_bids", TABLES | {"bid"}, before="0008_notices", made=made,
                     wanted=TABLES | {"source"}):
        _a_version_number_is_unique_per_bid()


def _a_version_number_is_unique_per_bid():
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO organisation (name, kind) VALUES ('Buyer', 'buyer')"))
        c.execute(text("INSERT INTO procurement (reference, title, description, organisation_id, "
                       "regime, relates_to, initial_term_years, extension_years, cpv_codes, "
                       "region, state, created_at) VALUES ('R-1', 'T', '', 1, 'PCR2015-OPEN', '', "
                       "1, '', '', '', 'draft', '2031-01-01 00:00:00')"))
        c.execute(text("INSERT INTO lot (procurement_id, code, title, annual_value, "
                       "position, model_locked) VALUES (1, 'A', 'A', 1, 0, false)"))
        c.execute(text("INSERT INTO bidder (procurement_id, name) VALUES (1, 'S')"))
        c.execute(text("INSERT INTO bid (lot_id, bidder_id, selection, state) "
                       "VALUES (1, 1, 'pass', 'submitted')"))
        assert c.execute(text("SELECT source FROM bid")).scalar_one() == "workbook"
        row = ("INSERT INTO bid_version (bid_id, number, state, declaration, created_at, "
               "updated_at) VALUES (1, :n, 'submitted', true, '2031-01-01 00:00:00', "
               "'2031-01-01 00:00:00')")
        c.execute(text(row), {"n": 1})
        c.execute(text(row), {"n": 2})
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(row), {"n": 2})
