"""Migration 0018 (a letter's data digest) up and down; the schema is the models'."""
from sqlalchemy import inspect

from extensions import db
from tests.integration.migration_fixtures import fresh, up_and_down  # noqa: F401  (the fixture)


def _columns() -> dict[str, dict]:
    return {c["name"]: c for c in inspect(db.engine).get_columns("letter")}


def test_0018_up_and_down(fresh):  # noqa: F811
    with up_and_down("0018_letter_data", {"letter"}, before="0017_criterion_step",
                     made=lambda: {"data_sha256"} & set(_columns()), wanted={"data_sha256"}):
        # a letter issued before it has none, and is drawn to compare
        assert _columns()["data_sha256"]["nullable"]
