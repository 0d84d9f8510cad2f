"""Migration 0017 (a step per criterion, a description per section) up and down; the
schema is the models'."""
from tests.integration.migration_fixtures import (columns, fresh,  # noqa: F401  (the fixture)
                                                  table_names, up_and_down)

TABLES = {"criterion", "section_description"}


def made() -> set[str]:
    return ({"score_step"} & columns("criterion")) | ({"section_description"} & table_names())


def test_0017_up_and_down(fresh):  # noqa: F811
    with up_and_down("0017_criterion_step", TABLES, before="0016_score_progress", made=made,
                     wanted={"score_step", "section_description"}):
        assert {"procurement_id", "section", "description"} <= columns("section_description")
