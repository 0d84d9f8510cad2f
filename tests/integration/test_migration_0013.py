"""Migration 0013 (selection questionnaire, financial standing) up and down on a database of
its own; the schema it makes is the models' (nothing left to autogenerate)."""
from tests.integration.migration_fixtures import fresh, up_and_down  # noqa: F401  (the fixture)

TABLES = {"sq_question", "sq_marker", "sq_answer_set", "sq_answer", "sq_mark",
          "financial_assessment", "accounts_year"}


def test_0013_up_and_down(fresh):  # noqa: F811
    with up_and_down("0013_selection", TABLES, before="0011_suppliers"):
        pass
