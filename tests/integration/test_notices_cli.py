"""`notice draft|publish|list` as shared/spec/publication-and-bids.md says: built from the
records, published on the server's clock, never changed, refused with every reason (one line
each on standard error, exit status 1, nothing changed)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

import clock
from audit.models import AuditRecord
from decisions.letters.service import issue_letters
from extensions import db
from procurement.access import find_procurement
from procurement.models import TimelineDate
from procurement.notices.models import Notice
from tests.integration.notice_fixtures import (awarded_tender, draft, listed, notice,
                                               notice_cli, open_tender, publish, uk_days_ahead)


def audit_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(AuditRecord.id)))


def refused(app, *args) -> list[str]:
    """The error lines of a refused command; asserts nothing changed."""
    before = audit_count(), db.session.scalar(select(func.count(Notice.id)))
    result = notice_cli(app, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert (audit_count(), db.session.scalar(select(func.count(Notice.id)))) == before
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.strip() for line in lines)
    return lines


def test_draft_prints_its_id_and_list_prints_the_contract_format(app, users):
    p = open_tender(users["officer"].organisation)
    first = draft(app, p.reference, "PIN")
    second = draft(app, p.reference, "contract-notice")
    assert second > first
    rows = listed(app, p.reference)
    assert rows == [
        {"id": first, "kind": "PIN", "state": "draft", "published_at": None, "supersedes": None,
         "ocds_release_id": None},
        {"id": second, "kind": "contract-notice", "state": "draft", "published_at": None,
         "supersedes": None, "ocds_release_id": None}]
    assert list(rows[0]) == ["id", "kind", "state", "published_at", "supersedes",
                             "ocds_release_id"]


def test_publish_stamps_the_server_time_freezes_it_and_moves_the_lifecycle(app, users,
                                                                         monkeypatch):
    p = open_tender(users["officer"].organisation)
    at = datetime.utcnow().replace(microsecond=123456)
    monkeypatch.setattr(clock, "utcnow", lambda: at)
    notice_id = publish(app, p.reference, "contract-notice")
    row, = listed(app, p.reference)
    assert row["state"] == "published"
    assert row["published_at"] == at.isoformat(timespec="microseconds") + "Z"
    assert row["ocds_release_id"] == f"ocds-tender0-{p.reference}-notice-{notice_id}"
    n = notice(notice_id)
    assert n.content["lots"][0]["criteria"][0]["weight"] == "60"
    assert n.content_sha256 and n.pdf.startswith(b"%PDF-") and n.pdf_sha256
    p = find_procurement(p.reference)
    assert p.state == "tender_published"
    assert p.date_of("itt_published").at.date() == at.date()
    actions = [r.action for r in db.session.scalars(select(AuditRecord).where(
        AuditRecord.entity == "notice").order_by(AuditRecord.id))]
    assert actions == ["draft", "publish"]


def test_unknown_kind_procurement_and_notice_are_errors(app, users):
    p = open_tender(users["officer"].organisation)
    assert refused(app, "draft", p.reference, "UK4") == [
        "UK4 is not a notice of the PCR2015-OPEN regime: its notices are PIN, "
        "contract-notice, award-notice"]
    assert refused(app, "draft", "NOPE", "PIN") == ["No procurement with reference NOPE"]
    assert refused(app, "publish", p.reference, "999") == [f"{p.reference} has no notice 999"]
    assert refused(app, "draft", p.reference, "PIN", "--supersedes", "5") == [
        "Notice 5 is not a published notice of this procurement"]


def test_a_tender_notice_without_lots_or_a_lawful_deadline_is_refused(app, users):
    p = open_tender(users["officer"].organisation, deadline_days=20)  # PCR open: 30 days
    notice_id = draft(app, p.reference, "contract-notice")
    lines = refused(app, "publish", p.reference, notice_id)
    assert len(lines) == 1 and "shorter than the minimum period" in lines[0] \
        and "reg. 27(2) and (4): 30 days" in lines[0]
    p.date_of("tender_deadline").at = uk_days_ahead(-1)
    for lot in list(p.lots):
        p.lots.remove(lot)
    db.session.commit()
    lines = refused(app, "publish", p.reference, notice_id)
    assert any("at least one lot" in line for line in lines)
    assert any("not in the future" in line for line in lines)
    assert notice(notice_id).state == "draft"


def test_the_act_refuses_a_second_notice_of_a_kind_and_a_correction_supersedes(app, users):
    p = open_tender(users["officer"].organisation)
    original = publish(app, p.reference, "contract-notice")
    again = draft(app, p.reference, "contract-notice")
    assert refused(app, "publish", p.reference, again) == [
        "A contract notice is already published: publish a correction as a new notice that "
        "supersedes it (--supersedes ID)"]
    correction = publish(app, p.reference, "contract-notice", "--supersedes", original)
    rows = {r["id"]: r for r in listed(app, p.reference)}
    assert rows[original]["state"] == rows[correction]["state"] == "published"
    assert rows[correction]["supersedes"] == original
    assert refused(app, "draft", p.reference, "contract-notice", "--supersedes", original) == [
        f"Notice {original} is already superseded: supersede the notice that replaced it"]
    assert notice(correction).content["supersedes"]["id"] == original


def test_the_database_keeps_one_original_of_a_kind_even_past_the_rules(app, users):
    p = open_tender(users["officer"].organisation)
    publish(app, p.reference, "contract-notice")
    twin = Notice(procurement_id=p.id, kind="contract-notice", state="published",
                  published_at=clock.utcnow())
    db.session.add(twin)
    import pytest
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_light_touch_has_no_minimum_and_its_pin_can_call_for_competition(app, users):
    p = open_tender(users["officer"].organisation, regime="PCR2015-LTR", deadline_days=5,
                    clarification_days=2)
    publish(app, p.reference, "PIN", "--call-for-competition")
    p = find_procurement(p.reference)
    assert p.state == "tender_published"
    assert notice(listed(app, p.reference)[0]["id"]).content["opens_competition"] is True
    assert refused(app, "draft", p.reference, "contract-notice", "--call-for-competition")


def test_a_pin_after_the_tender_is_too_late(app, users):
    p = open_tender(users["officer"].organisation)
    publish(app, p.reference, "contract-notice")
    pin = draft(app, p.reference, "PIN")
    lines = refused(app, "publish", p.reference, pin)
    assert lines == ["You cannot publish a prior information or engagement notice now: the "
                     "procurement is already at “Tender published”."]


def test_an_award_notice_waits_for_the_deadline_and_final_results(app, users, monkeypatch):
    p = open_tender(users["officer"].organisation)
    publish(app, p.reference, "contract-notice")
    award = draft(app, p.reference, "award-notice")
    lines = refused(app, "publish", p.reference, award)
    assert any("You cannot publish the award notice yet" in line for line in lines)
    assert "The tender deadline has not passed yet" in lines
    assert "The results are not final for lot A, B: mark them final first" in lines


def test_an_imported_tender_publishes_its_award_notice_without_a_tender_notice(app, users):
    p = awarded_tender(users)
    notice_id = publish(app, p.reference, "award-notice")
    p = find_procurement(p.reference)
    assert p.state == "standstill"
    c = notice(notice_id).content
    assert [(a["lot"], a["supplier"]["name"]) for a in c["awards"]] == [
        ("A", "Victim Support"), ("B", "Victim Support")]
    assert [a["bids_received"] for a in c["awards"]] == [1, 2]
    assert p.date_of("award_notice") is not None


def test_under_the_act_the_contract_award_notice_waits_for_the_assessment_summaries(
        app, users):
    p = awarded_tender(users, regime="PA2023-OPEN", reference="PA-DA-2024")
    uk6 = draft(app, p.reference, "UK6")
    assert refused(app, "publish", p.reference, uk6) == [
        "Issue the assessment summaries to every bidder before the contract award notice "
        "(Procurement Act 2023 s.50): send the letters first"]
    issued, refusal = issue_letters(p, actor="test")
    assert refusal is None and len(issued) == 3
    db.session.commit()
    result = notice_cli(app, "publish", p.reference, uk6)
    assert result.exit_code == 0, result.output
    p = find_procurement(p.reference)
    c = notice(uk6).content
    assert c["assessment_summaries_sent"] == p.date_of("decision_letters").at.date().isoformat()
    assert c["standstill"]["start"] == clock.today().isoformat()
    assert p.state == "standstill"
    assert p.date_of("standstill_end").at.date().isoformat() == c["standstill"]["end"]
    # the contract details come once the standstill has ended and the contract is made
    uk7 = draft(app, p.reference, "UK7")
    assert any("standstill must have ended" in line for line in refused(app, "publish",
                                                                      p.reference, uk7))
    p.state = "contract"
    p.dates.append(TimelineDate(kind="contract_start", at=datetime(2031, 4, 1)))
    db.session.commit()
    assert notice_cli(app, "publish", p.reference, uk7).exit_code == 0
    assert notice(uk7).content["contract"]["start"] == "2031-04-01"


def test_a_termination_notice_ends_the_opportunity(app, users):
    p = open_tender(users["officer"].organisation, regime="PA2023-OPEN", reference="PA-T-1")
    uk12 = draft(app, p.reference, "UK12")
    assert any("Nothing to terminate" in line for line in refused(app, "publish", p.reference,
                                                                  uk12))
    publish(app, p.reference, "UK4")
    assert notice_cli(app, "publish", p.reference, uk12).exit_code == 0
    uk6 = draft(app, p.reference, "UK6")
    assert any("terminated" in line for line in refused(app, "publish", p.reference, uk6))


def test_publishing_again_is_refused_and_changes_nothing(app, users):
    p = open_tender(users["officer"].organisation)
    notice_id = publish(app, p.reference, "contract-notice")
    frozen = (notice(notice_id).content_sha256, notice(notice_id).pdf_sha256,
              notice(notice_id).published_at)
    assert refused(app, "publish", p.reference, notice_id) == [
        f"Notice {notice_id} is already published: a published notice is never changed "
        "(publish a correction that supersedes it)"]
    n = notice(notice_id)
    assert (n.content_sha256, n.pdf_sha256, n.published_at) == frozen


def test_list_is_oldest_first_and_timestamps_are_utc(app, users):
    p = open_tender(users["officer"].organisation)
    ids = [publish(app, p.reference, "PIN"), draft(app, p.reference, "contract-notice")]
    rows = listed(app, p.reference)
    assert [r["id"] for r in rows] == ids
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rows[0]["published_at"])
    table = notice_cli(app, "list", p.reference, "--format", "table")
    assert table.exit_code == 0 and "PIN" in table.stdout
    assert find_procurement(p.reference).state == "notices_published"
    _ = timedelta  # noqa
