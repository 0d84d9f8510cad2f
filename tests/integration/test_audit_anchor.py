"""An audit you can trust (issue 10): `audit verify` names an unreadable record instead of
crashing; each record is keyed (HMAC-SHA256, key outside the database); the chain is anchored
outside the audit table, so deleting the newest records or recomputing the chain, even with
the key, is found; a crash between the anchor and the commit is never a false alarm.

Each tampering case here passed `audit verify` (or crashed it) before the fix."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from audit import anchor
from audit.chain import GENESIS, KEYED, PLAIN, parse_anchor, record_hash
from audit.models import AuditRecord
from audit.services import as_dict, hmac_key, record, verify
from extensions import db

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
on_sqlite = pytest.mark.skipif(POSTGRES, reason="SQLite stores any text in any column; "
                               "PostgreSQL refuses these edits (its json and timestamp types)")
on_postgres = pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")


@pytest.fixture()
def chain(app):
    """Five records, committed (and so anchored)."""
    for i in range(1, 6):
        record("score", i, "update", {"value": "3"}, {"value": str(i)}, procurement_ref="REF-1",
               actor=f"user{i}@example.org")
    db.session.commit()
    return 5


def anchor_path() -> Path:
    return Path(current_app.config["AUDIT_ANCHOR_PATH"])


def run_verify(app):
    db.session.expire_all()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def problem_line(result) -> str:
    """The one line naming the problem: exit 1, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def verified(app) -> str:
    result = run_verify(app)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def sql(statement, **params):
    db.session.execute(text(statement), params)
    db.session.commit()


def json_value(name="v"):
    return f"CAST(:{name} AS JSON)" if db.engine.dialect.name == "postgresql" else f":{name}"


def rechain(key: bytes | None, *, edit=None, alg: str | None = None, upto: int | None = None):
    """Recompute every hash from record 1 to `upto` (as someone with write access to the
    database would), editing record `edit` first; the head follows when all are redone."""
    records = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    prev = GENESIS
    for rec in records[:upto]:
        content = as_dict(rec)
        if edit == rec.seq:
            content["actor"] = "mallory@example.org"
        digest = record_hash(prev, content, key)
        db.session.execute(text(
            "UPDATE audit_record SET actor = :a, prev_hash = :p, hash = :h, hash_alg = :g "
            "WHERE seq = :s"), {"a": content["actor"], "p": prev, "h": digest,
                                "g": alg or rec.hash_alg, "s": rec.seq})
        prev = digest
    if upto is None:
        db.session.execute(text("UPDATE audit_head SET seq = :s, hash = :h"),
                           {"s": records[-1].seq, "h": prev})
    db.session.commit()


# ---- a record that no longer parses is named, never a traceback ----------------------------

@on_sqlite
@pytest.mark.parametrize("column,value", [("after", '{"value": "5"'), ("before", "not json"),
                                          ("at", "the fifth of May")])
def test_a_value_edited_into_something_unreadable_is_named(app, chain, column, value):
    sql(f"UPDATE audit_record SET {column} = :v WHERE seq = 3", v=value)
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 3 ") and "cannot be read" in line and "edited" in line


@on_sqlite
def test_text_the_driver_cannot_decode_is_named(app, chain):
    sql("UPDATE audit_record SET actor = CAST(X'ff00fe' AS TEXT) WHERE seq = 2")
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 2: ") and "cannot be read" in line


@pytest.mark.parametrize("value", ['{"value": "\\ud800"}',  # a lone surrogate: JSON, not text
                                   "[" * 5000 + "]" * 5000])  # deeper than Python parses
def test_json_the_database_accepts_but_python_cannot_hash_is_named(app, chain, value):
    sql(f"UPDATE audit_record SET after = {json_value()} WHERE seq = 4", v=value)
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 4 ") and "edited" in line


def test_verify_itself_failing_is_one_line(app, chain, monkeypatch):
    import audit.cli

    def broken():
        raise RuntimeError("the disk went away\nsecond line")

    monkeypatch.setattr(audit.cli, "verify", broken)
    result = run_verify(app)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip() == ("audit verify could not finish: RuntimeError: "
                                     "the disk went away")


# ---- keyed: the chain cannot be recomputed without the key ---------------------------------

def test_records_are_keyed_and_the_key_is_not_in_the_database(app, chain):
    rec = db.session.scalar(select(AuditRecord).where(AuditRecord.seq == 1))
    assert rec.hash_alg == KEYED and rec.hash == record_hash(GENESIS, as_dict(rec), hmac_key())
    assert rec.hash != record_hash(GENESIS, as_dict(rec))
    key = current_app.config["AUDIT_HMAC_KEY"]
    for table in ("audit_record", "audit_head", "setting"):
        for row in db.session.execute(text(f"SELECT * FROM {table}")):
            assert key not in " ".join(map(str, row))


def test_the_whole_chain_recomputed_without_the_key_is_found(app, chain):
    rechain(None)  # plain SHA-256 throughout, head rewound to match: passed before the fix
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 1 ") and "edited" in line


def test_the_chain_turned_back_into_plain_sha256_is_found(app, chain):
    rechain(None, alg=PLAIN)  # and marked as the pre-0005 kind, which needs no key
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 1 ") and "unkeyed" in line


# ---- anchored: deleting the newest records, or recomputing with the key ---------------------

def test_deleting_the_newest_records_and_rewinding_the_head_is_found(app, chain):
    three = db.session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 3))
    sql("DELETE FROM audit_record WHERE seq > 3")
    sql("UPDATE audit_head SET seq = 3, hash = :h", h=three)
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 4: missing") and "anchor" in line and "deleted" in line


def test_deleting_every_record_and_the_head_is_found(app, chain):
    sql("DELETE FROM audit_record")
    sql("DELETE FROM audit_head")
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 1: missing")


def test_an_edit_with_the_chain_recomputed_with_the_key_is_found(app, chain):
    rechain(hmac_key(), edit=4)  # a perfect chain, head included: only the anchor knows
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 4 ") and "anchor" in line


def test_a_removed_anchor_is_found(app, chain):
    anchor_path().unlink()
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 5: not in the anchor") and "removed" in line


def test_an_unreadable_anchor_is_named(app, chain):
    anchor_path().unlink()
    anchor_path().mkdir()  # root reads any file, but not a folder as one
    try:
        line = problem_line(run_verify(app))
    finally:
        anchor_path().rmdir()
    assert line.startswith("the audit anchor ") and "cannot be read" in line


def test_each_commit_anchors_its_records_prepared_then_committed(app, chain):
    lines = anchor_path().read_text().splitlines()
    assert [line[:3] for line in lines] == ["P 1", "P 2", "P 3", "P 4", "P 5",
                                            "C 1", "C 2", "C 3", "C 4", "C 5"]
    assert anchor_path().stat().st_mode & 0o777 == 0o600
    record("score", 6, "update", None, {"value": "1"})
    db.session.rollback()  # nothing committed, nothing anchored
    assert len(anchor_path().read_text().splitlines()) == 10
    assert verified(app) == "5 records verified"


# ---- a crash is never a false alarm --------------------------------------------------------

def test_a_commit_that_fails_after_its_anchor_line_is_no_false_alarm(app, chain):
    """The "P" line is written and the commit then fails: the anchor is ahead by a record
    never committed, which verify accepts; the next record reuses the number."""
    def fail(session):
        raise RuntimeError("the database went away during the commit")

    event.listen(Session, "before_commit", fail)  # runs after the anchor's own listener
    try:
        record("score", 6, "update", None, {"value": "lost"})
        with pytest.raises(RuntimeError):
            db.session.commit()
    finally:
        event.remove(Session, "before_commit", fail)
    db.session.rollback()
    assert "P 6 " in anchor_path().read_text() and "C 6 " not in anchor_path().read_text()
    assert verified(app) == "5 records verified"
    record("score", 6, "update", None, {"value": "kept"})
    db.session.commit()
    anchored = parse_anchor(anchor_path().read_text())
    assert len(anchored.prepared[6]) == 2 and len(anchored.committed[6]) == 1
    assert verified(app) == "6 records verified"


def test_a_crash_before_the_committed_line_is_no_false_alarm(app, chain, monkeypatch):
    real = anchor.append

    def no_confirmation(path, lines):
        if not lines[0].startswith("C"):
            real(path, lines)

    monkeypatch.setattr(anchor, "append", no_confirmation)
    record("score", 6, "update", None, {"value": "1"})
    db.session.commit()
    assert "C 6 " not in anchor_path().read_text()
    assert verified(app) == "6 records verified"


def test_without_its_anchor_line_nothing_is_committed(app, chain, monkeypatch):
    from accounts.models import Organisation  # any change, with its audit record

    def full_disk(path, lines):
        raise OSError(28, "No space left on device", path)

    monkeypatch.setattr(anchor, "append", full_disk)
    db.session.add(Organisation(name="Anchored Ltd", kind="buyer"))
    record("organisation", "new", "create", None, {"name": "Anchored Ltd"})
    with pytest.raises(anchor.AnchorError, match="No space left"):
        db.session.commit()
    db.session.rollback()
    monkeypatch.undo()
    assert db.session.scalar(select(Organisation).where(
        Organisation.name == "Anchored Ltd")) is None
    assert verified(app) == "5 records verified"


def test_a_line_torn_by_a_crash_mid_write_is_no_false_alarm(app, chain):
    with open(anchor_path(), "a") as f:
        f.write("P 6 0123abc")  # a writer died mid-line, before its commit
    record("score", 6, "update", None, {"value": "1"})
    db.session.commit()
    assert verified(app) == "6 records verified"


def test_records_rolled_back_to_a_savepoint_are_not_anchored(app, chain):
    record("score", 6, "update", None, {"value": "kept"})
    savepoint = db.session.begin_nested()
    record("score", 7, "update", None, {"value": "dropped"})
    savepoint.rollback()
    db.session.commit()
    anchored = parse_anchor(anchor_path().read_text())
    assert anchored.prepared.keys() == anchored.committed.keys() == {1, 2, 3, 4, 5, 6}
    assert verified(app) == "6 records verified"


# ---- several workers append to one anchor --------------------------------------------------

APPENDER = """
import sys
from audit.anchor import append
from audit.chain import anchor_line
path, worker = sys.argv[1], int(sys.argv[2])
for i in range(250):
    append(path, [anchor_line("P", worker * 1000 + i, format(worker * 1000 + i, "064x"))])
"""


def test_concurrent_workers_append_whole_lines(tmp_path):
    path = tmp_path / "shared" / "anchor.log"
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(path), str(w)], cwd=ROOT)
             for w in range(1, 5)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    anchored = parse_anchor(path.read_text())
    assert anchored.skipped == 0 and len(anchored.prepared) == 1000
    assert all(anchored.prepared[s] == {format(s, "064x")} for s in anchored.prepared)


@on_postgres
def test_concurrent_requests_chain_and_anchor_in_order(app, chain):
    """Four sessions (as four gunicorn workers would) record at once: the head's row lock
    orders them, and the anchor holds every committed record."""
    errors = []

    def worker(n):
        try:
            with app.app_context():
                for i in range(5):
                    record("score", f"{n}-{i}", "update", None, {"worker": n})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert verified(app) == "25 records verified"


# ---- chains written before migration 0005 (plain SHA-256) still verify ---------------------

def test_a_chain_from_before_0005_verifies_and_keyed_records_follow_it(app, chain):
    rechain(None, alg=PLAIN)  # what 0005 finds: plain hashes, marked "sha256", no anchor
    anchor_path().unlink()
    assert verified(app) == "5 records verified"
    record("score", 6, "update", None, {"value": "keyed"})
    db.session.commit()
    assert db.session.scalar(select(AuditRecord.hash_alg).where(AuditRecord.seq == 6)) == KEYED
    assert verified(app) == "6 records verified"
    # from now on, the legacy records are held by record 6's keyed, anchored link
    rechain(None, alg=PLAIN, edit=2, upto=5)
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 6 ") and "link" in line
