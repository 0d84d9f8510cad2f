"""What the migration tests share: `fresh`, an app on an empty database of its own (SQLite, or
with TEST_DATABASE_URL a schema of its own in PostgreSQL, named after the test module), and
`up_and_down`, a migration taken up, compared with the models, and down again.

A new migration's test: `with up_and_down("0017_x", {"new_table"}, before="0016_..."):`, its
own data checks inside (at the new revision); see test_migration_0015.py."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from extensions import db
from tests.conftest import _normalise


@pytest.fixture()
def fresh(tmp_path, request):
    """An app on an empty database, its context pushed."""
    schema = "migration_" + request.module.__name__.rsplit(".", 1)[-1].removeprefix(
        "test_migration_")
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgres"):
        url = _normalise(url)
        engine = create_engine(url)
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        engine.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    else:
        engine, url = None, f"sqlite:///{tmp_path}/migrations.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if engine is not None:  # really on a schema of its own, not the suite's
            with db.engine.connect() as c:
                assert c.execute(text("SELECT current_schema()")).scalar() == schema
        yield app
        db.session.remove()
        db.engine.dispose()
    if engine is not None:
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def table_of(diff) -> str | None:
    """The table an autogenerate difference is about."""
    if isinstance(diff, list):  # a list of column changes of one table
        diff = diff[0]
    if diff[0] in ("add_table", "remove_table"):
        return diff[1].name
    if diff[0] in ("add_index", "remove_index"):
        return diff[1].table.name
    return diff[2] if len(diff) > 2 and isinstance(diff[2], str) else None


def schema_diff(tables: set[str]) -> list:
    """What autogenerate would still change in these tables (later migrations' aside)."""
    with db.engine.connect() as c:
        return [d for d in compare_metadata(MigrationContext.configure(c), db.metadata)
                if table_of(d) in tables]


@contextmanager
def up_and_down(revision: str, tables: set[str], *, before: str,
                made: Callable[[], set[str]] | None = None,
                wanted: set[str] | None = None) -> Iterator[None]:
    """From `before` up to `revision`: what it makes appears and `tables` are as the models say;
    the body runs there; then down to `before` (gone again) and up to the head (back).

    `made` says what of the migration's work is there (by default which of `tables` exist),
    `wanted` what it is once migrated (by default `tables`)."""
    made = made or (lambda: tables & table_names())
    wanted = tables if wanted is None else wanted
    upgrade(revision=before)
    assert made() == set()
    upgrade(revision=revision)
    assert made() == wanted
    assert schema_diff(tables) == []
    yield
    downgrade(revision=before)
    assert made() == set()
    upgrade()
    assert made() == wanted
