"""Migration 0015 (background jobs) up and down; the schema it makes is the models'."""
from tests.integration.migration_fixtures import fresh, up_and_down  # noqa: F401  (the fixture)


def test_0015_up_and_down(fresh):  # noqa: F811
    with up_and_down("0015_jobs", {"job"}, before="0014_data_version"):
        pass
