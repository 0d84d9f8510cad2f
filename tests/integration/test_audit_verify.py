"""`audit verify` finds an edited, inserted or deleted audit record (SQLite and PostgreSQL),
and the audit page filters a procurement's records."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from audit.chain import GENESIS, first_break, record_hash
from audit.models import AuditHead, AuditRecord
from audit.services import as_dict, hmac_key, record, verify
from extensions import db
from tests.integration.signing_fixtures import client_for, small_tender


@pytest.fixture()
def chain(app):
    """Five records, committed."""
    for i in range(1, 6):
        record("score", i, "update", {"value": "3"}, {"value": str(i)}, procurement_ref="REF-1",
               actor=f"user{i}@example.org")
    db.session.commit()
    return 5


def run_verify(app):
    db.session.expire_all()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def problem_line(result):
    """The one line on standard error naming the first record that does not match."""
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def sql(statement, **params):
    db.session.execute(text(statement), params)
    db.session.commit()


def test_an_intact_chain_verifies(app, chain):
    result = run_verify(app)
    assert result.exit_code == 0
    assert result.stdout.strip() == "5 records verified"


def test_an_empty_chain_verifies(app):
    result = run_verify(app)
    assert result.exit_code == 0 and result.output.strip() == "0 records verified"


@pytest.mark.parametrize("column,value", [("actor", "mallory@example.org"),
                                          ("entity_id", "99"), ("action", "delete"),
                                          ("procurement_ref", "OTHER")])
def test_a_row_edited_in_the_database_is_named(app, chain, column, value):
    sql(f"UPDATE audit_record SET {column} = :v WHERE seq = 3", v=value)
    result = run_verify(app)
    assert result.exit_code != 0
    line = problem_line(result)
    assert line.startswith("audit record 3 ") and "edited" in line


def test_edited_before_and_after_values_are_found(app, chain):
    cast = "CAST(:v AS JSON)" if db.engine.dialect.name == "postgresql" else ":v"
    sql(f"UPDATE audit_record SET after = {cast} WHERE seq = 2", v='{"value": "5"}')
    result = run_verify(app)
    assert result.exit_code != 0 and problem_line(result).startswith("audit record 2 ")


def test_an_edited_time_is_found(app, chain):
    sql("UPDATE audit_record SET at = :v WHERE seq = 4", v=datetime(2020, 1, 1))
    assert problem_line(run_verify(app)).startswith("audit record 4 ")


def test_a_row_rehashed_with_the_key_is_named_by_the_anchor(app, chain):
    """Editing a row and recomputing its own hash, even with the key: the anchor holds the
    hash it was committed with (without the anchor, the next record's link would break)."""
    rec = db.session.scalar(select(AuditRecord).where(AuditRecord.seq == 2))
    forged = {**as_dict(rec), "actor": "mallory@example.org"}
    sql("UPDATE audit_record SET actor = :a, hash = :h WHERE seq = 2",
        a="mallory@example.org", h=record_hash(rec.prev_hash, forged, hmac_key()))
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 2 ") and "anchor" in line


def test_a_row_rehashed_without_the_key_is_named(app, chain):
    """Without AUDIT_HMAC_KEY a recomputed hash is plain SHA-256: the record itself is named."""
    rec = db.session.scalar(select(AuditRecord).where(AuditRecord.seq == 2))
    forged = {**as_dict(rec), "actor": "mallory@example.org"}
    sql("UPDATE audit_record SET actor = :a, hash = :h WHERE seq = 2",
        a="mallory@example.org", h=record_hash(rec.prev_hash, forged))
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 2 ") and "edited" in line


def test_a_deleted_record_in_the_middle_is_found(app, chain):
    sql("DELETE FROM audit_record WHERE seq = 3")
    result = run_verify(app)
    assert result.exit_code != 0
    line = problem_line(result)
    assert line.startswith("audit record 4 ") and "expected record 3" in line


def test_the_deleted_last_record_is_found(app, chain):
    sql("DELETE FROM audit_record WHERE seq = 5")
    result = run_verify(app)
    assert result.exit_code != 0
    line = problem_line(result)
    assert line.startswith("audit record 5: missing") and "deleted" in line


def test_every_record_deleted_is_found(app, chain):
    sql("DELETE FROM audit_record")
    assert run_verify(app).exit_code != 0


def test_an_inserted_record_in_the_middle_is_found(app, chain):
    # make room after record 2 (two steps: unique seq), then insert a well-formed record 3
    sql("UPDATE audit_record SET seq = seq + 100 WHERE seq > 2")
    sql("UPDATE audit_record SET seq = seq - 99 WHERE seq > 100")
    prev = db.session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 2))
    forged = {"seq": 3, "at": "2024-01-01T00:00:00", "actor": "mallory@example.org",
              "procurement_ref": "REF-1", "entity": "score", "entity_id": "1",
              "action": "update", "before": None, "after": {"value": "5"}}
    _insert(forged, prev, record_hash(prev, forged, hmac_key()))  # even with the key
    result = run_verify(app)
    assert result.exit_code != 0
    line = problem_line(result)  # well linked and keyed, but not what the anchor holds
    assert line.startswith("audit record 3 ") and "inserted" in line and "anchor" in line


def test_an_inserted_record_at_the_end_is_found(app, chain):
    prev = db.session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 5))
    forged = {"seq": 6, "at": "2024-01-01T00:00:00", "actor": "mallory@example.org",
              "procurement_ref": "REF-1", "entity": "score", "entity_id": "1",
              "action": "update", "before": None, "after": {"value": "5"}}
    _insert(forged, prev, record_hash(prev, forged, hmac_key()))
    line = problem_line(run_verify(app))
    assert line.startswith("audit record 6 ") and "inserted" in line


def _insert(rec, prev, digest):
    cast = "CAST(:after AS JSON)" if db.engine.dialect.name == "postgresql" else ":after"
    sql("INSERT INTO audit_record (seq, at, actor, procurement_ref, entity, entity_id, action, "
        f"before, after, prev_hash, hash, hash_alg) VALUES (:seq, :at, :actor, :ref, :entity, "
        f":eid, :action, NULL, {cast}, :prev, :hash, 'hmac-sha256')",
        seq=rec["seq"], at=datetime.fromisoformat(rec["at"]), actor=rec["actor"],
        ref=rec["procurement_ref"], entity=rec["entity"], eid=rec["entity_id"],
        action=rec["action"], after='{"value": "5"}', prev=prev, hash=digest)


def test_verify_counts_and_reports_without_the_cli(app, chain):
    assert verify() == (5, None)
    head = db.session.get(AuditHead, 1)
    assert head.seq == 5


def test_first_break_on_plain_records():
    recs, prev = [], GENESIS
    for i in range(1, 4):
        r = {"seq": i, "at": "2024-01-01T00:00:00", "actor": "a", "procurement_ref": None,
             "entity": "e", "entity_id": str(i), "action": "x", "before": None, "after": None,
             "prev_hash": prev}
        r["hash"] = prev = record_hash(prev, r)
        recs.append(r)
    head = {"seq": 3, "hash": prev}
    assert first_break(recs, head) is None
    assert "content" in first_break([recs[0], {**recs[1], "actor": "b"}, recs[2]], head)
    assert first_break(recs[:2], head).startswith("audit record 3: missing")
    assert first_break(recs, {"seq": 3, "hash": "f" * 64}).startswith("audit record 3: does not")


# ---- the audit page ------------------------------------------------------------------------

@pytest.fixture()
def trail(app, users):
    p = small_tender(users["officer"].organisation)
    record("lot", "A", "update", {"annual_value": "1"}, {"annual_value": "2"},
           procurement_ref=p.reference, actor="officer@example.org")
    record("consensus", "7", "update", {"value": "3"}, {"value": "4"},
           procurement_ref=p.reference, actor="evaluator@example.org")
    record("decision_note", p.reference, "send", None, {"state": "sent"},
           procurement_ref=p.reference, actor="system")
    record("lot", "Z", "update", None, {"annual_value": "9"}, procurement_ref="ELSEWHERE",
           actor="officer@example.org")
    db.session.commit()
    return p


def audit_page(c, ref, **args):
    return c.get(f"/procurements/{ref}/audit", query_string=args)


def rows(resp):
    import re
    html = resp.get_data(as_text=True)
    body = html.split('id="audit-records"', 1)[1] if 'id="audit-records"' in html else ""
    return re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(\d+)</td>',
                      body)


def test_an_officer_sees_only_this_procurements_records(app, users, trail):
    c = client_for(app, users["officer"].email)
    resp = audit_page(c, trail.reference)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "ELSEWHERE" not in html and "evaluator@example.org" in html
    assert len(rows(resp)) == 3


def test_filters_by_entity_action_actor_and_date(app, users, trail):
    c = client_for(app, users["officer"].email)
    assert len(rows(audit_page(c, trail.reference, entity="lot"))) == 1
    assert len(rows(audit_page(c, trail.reference, action="send"))) == 1
    assert len(rows(audit_page(c, trail.reference, actor="EVALUATOR"))) == 1
    assert len(rows(audit_page(c, trail.reference, actor="%"))) == 0  # no wildcard
    today = datetime.now(timezone.utc).date().isoformat()
    assert len(rows(audit_page(c, trail.reference, **{"from": today, "to": today}))) == 3
    assert len(rows(audit_page(c, trail.reference, to="2000-01-01"))) == 0
    resp = audit_page(c, trail.reference, entity="lot", action="update", actor="officer")
    assert len(rows(resp)) == 1 and 'href="#from"' not in resp.get_data(as_text=True)


def test_a_bad_date_gets_a_message(app, users, trail):
    c = client_for(app, users["officer"].email)
    resp = audit_page(c, trail.reference, **{"from": "1 August"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Enter a real date" in html and "<title>Error:" in html
    resp = audit_page(c, trail.reference, **{"from": "2024-05-02", "to": "2024-05-01"})
    assert resp.status_code == 400 and "after the start date" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ["evaluator", "chief_executive", "admin", "supplier"])
def test_only_officers_see_the_audit_page(app, users, trail, role):
    assert audit_page(client_for(app, users[role].email), trail.reference).status_code == (404 if role == "supplier" else 403)


def test_officers_of_another_organisation_do_not(app, users, trail):
    from accounts.models import Organisation, User
    other = Organisation(name="Elsewhere", kind="buyer")
    db.session.add_all([other, User(email="o2@example.org", name="Other", roles="officer",
                                    organisation=other,
                                    password_hash=users["officer"].password_hash)])
    db.session.commit()
    assert audit_page(client_for(app, "o2@example.org"), trail.reference).status_code == 404  # not even told it exists
    c = client_for(app, users["officer"].email)
    assert audit_page(c, "NO-SUCH").status_code == 404


def test_each_record_is_one_line_in_words_with_the_full_record_on_demand(app, users, trail):
    import re
    c = client_for(app, users["officer"].email)
    html = audit_page(c, trail.reference).get_data(as_text=True)
    lines = re.findall(r'class="tender-break-word audit-summary">([^<]*)<', html)
    assert lines == ["state: sent", "value: 3 → 4", "annual value: 1 → 2"]
    assert html.count('<details class="govuk-details') == 3
    assert '&#34;annual_value&#34;: &#34;1&#34;' in html or '"annual_value": "1"' in html


def test_the_pages_keep_the_filters(app, users, trail, monkeypatch):
    import re
    from procurement import audit_trail
    monkeypatch.setattr(audit_trail, "PER_PAGE", 1)
    c = client_for(app, users["officer"].email)
    html = audit_page(c, trail.reference, actor="o", entity="lot").get_data(as_text=True)
    assert "1 record" in html
    html = audit_page(c, trail.reference, actor="example").get_data(as_text=True)  # 2
    assert "page 1 of 2" in html
    older = re.search(r'href="([^"]+)" rel="next"', html)[1].replace("&amp;", "&")
    assert "actor=example" in older and "page=2" in older
    assert len(rows(c.get(older))) == 1
