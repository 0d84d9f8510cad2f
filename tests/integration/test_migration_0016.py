"""Migration 0016 (the progress index on scores) up and down; the schema is the models'."""
from sqlalchemy import inspect

from extensions import db
from tests.integration.migration_fixtures import fresh, up_and_down  # noqa: F401  (the fixture)


def _indexes() -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes("score")} & {"ix_score_progress"}


def test_0016_up_and_down(fresh):  # noqa: F811
    with up_and_down("0016_score_progress", {"score"}, before="0015_jobs", made=_indexes,
                     wanted={"ix_score_progress"}):
        pass
