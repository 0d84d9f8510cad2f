"""Migration 0005_audit (each record's hash algorithm) up and down, on a database of its own:
a chain recorded before it (plain SHA-256) still verifies, and keyed records follow it."""
from pathlib import Path

import pytest
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from audit.chain import GENESIS, KEYED, PLAIN, record_hash
from audit.services import record, verify
from extensions import db
from tests.integration.migration_fixtures import fresh  # noqa: F401 - the fixture

INSERT = ("INSERT INTO audit_record (seq, at, actor, procurement_ref, entity, entity_id, action, "
          "before, after, prev_hash, hash) VALUES (:seq, :at, 'officer@example.org', 'REF-1', "
          "'lot', 'A', 'update', NULL, {after}, :prev, :hash)")


@pytest.fixture()
def app_0005(fresh):  # noqa: F811
    yield fresh
    Path(current_app.config["AUDIT_ANCHOR_PATH"]).unlink(missing_ok=True)


def columns():
    return {c["name"] for c in inspect(db.engine).get_columns("audit_record")}


def legacy_chain(n=3):
    """Records as Tender wrote them before 0005: plain SHA-256, with the head."""
    after = "CAST(:after AS JSON)" if db.engine.dialect.name == "postgresql" else ":after"
    prev = GENESIS
    with db.engine.begin() as c:
        for seq in range(1, n + 1):
            content = {"seq": seq, "at": f"2024-05-0{seq}T09:30:00", "actor": "officer@example.org",
                       "procurement_ref": "REF-1", "entity": "lot", "entity_id": "A",
                       "action": "update", "before": None, "after": {"value": str(seq)}}
            digest = record_hash(prev, content)
            c.execute(text(INSERT.format(after=after)),
                      {"seq": seq, "at": f"2024-05-0{seq} 09:30:00", "prev": prev,
                       "hash": digest, "after": f'{{"value": "{seq}"}}'})
            prev = digest
        c.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :s, :h)"),
                  {"s": n, "h": prev})


def test_0005_keeps_plain_chains_verifiable_and_keys_new_records(app_0005):
    upgrade(revision="0002")
    assert "hash_alg" not in columns()
    legacy_chain()

    upgrade()
    assert "hash_alg" in columns()
    with db.engine.connect() as c:
        assert c.execute(text("SELECT DISTINCT hash_alg FROM audit_record")).scalars().all() \
            == [PLAIN]
    assert verify() == (3, None)  # no anchor yet: a chain from before anchoring

    record("lot", "A", "update", None, {"value": "4"}, procurement_ref="REF-1")
    db.session.commit()
    assert verify() == (4, None)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT hash_alg FROM audit_record WHERE seq = 4")).scalar() == KEYED

    with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits
        downgrade(revision="0002")  # it would leave record 4 unverifiable
    assert "hash_alg" in columns()
    assert verify() == (4, None)


def test_0005_down_and_up_again_without_keyed_records(app_0005):
    upgrade(revision="0002")
    legacy_chain(2)
    upgrade()
    downgrade(revision="0002")
    assert "hash_alg" not in columns()
    upgrade()
    assert verify() == (2, None)
