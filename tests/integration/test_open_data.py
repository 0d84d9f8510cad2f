"""Open data: every published notice is an OCDS 1.1 release; `ocds export REF PATH` and
/opportunities/REF/ocds.json give the procurement's release package, /ocds/releases.json the
feed across procurements. Packages of both regimes and every notice kind are validated
offline against the 1.1.5 schemas patched with the declared extensions."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

import clock
from accounts.models import Setting
from decisions.letters.service import issue_letters
from extensions import db
from procurement.access import find_procurement
from procurement.models import TimelineDate
from publication.ocds import EXTENSION_URLS
from publication.ocds_schema import validate_package
from tests.integration.notice_fixtures import (awarded_tender, draft, notice_cli, ocds_export,
                                               open_tender, publish)
from tests.integration.signing_fixtures import SessionClient
from tests.integration.test_decision_note_fixtures import LOSER, SECRET, WINNER


def valid(package: dict) -> dict:
    errors = validate_package(package)
    assert errors == [], "\n".join(errors)
    return package


def export(app, tmp_path, reference: str, name: str = "package.json") -> dict:
    return valid(ocds_export(app, reference, tmp_path / name))


def test_a_pcr_2015_procurement_through_every_notice_kind(app, users, tmp_path, monkeypatch):
    p = open_tender(users["officer"].organisation, "PCR-OPEN-1")
    p.min_delphi = 50
    db.session.commit()
    pin = publish(app, p.reference, "PIN")
    package = export(app, tmp_path, p.reference)
    release, = package["releases"]
    assert release["tag"] == ["planning"] and release["tender"]["status"] == "planned"
    cn = publish(app, p.reference, "contract-notice")
    correction = publish(app, p.reference, "contract-notice", "--supersedes", cn)
    package = export(app, tmp_path, p.reference)
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"],
                                                       ["tenderAmendment"]]
    tender = package["releases"][1]["tender"]
    assert tender["legalBasis"]["scheme"] == "CELEX" and tender["legalBasis"]["id"] == \
        "32014L0024"
    assert [lot["id"] for lot in tender["lots"]] == ["A", "B"]
    assert tender["lots"][0]["value"] == {"amount": 1250000.0, "currency": "GBP"}  # 5 years
    weights = [[n["numbers"][0]["number"] for n in lot["awardCriteria"]["criteria"]]
               for lot in tender["lots"]]
    assert weights == [[60, 40], [60, 40]]
    end = tender["tenderPeriod"]["endDate"]
    assert end.endswith(("+00:00", "+01:00")) and end[11:19] == "12:00:00"
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "85312000-9"}
    assert tender["selectionCriteria"]["criteria"][0]["minimum"] == "50"
    # the selection questionnaire's pass/fail Part 3 questions (procurement.selection)
    described = [c["description"] for c in tender["selectionCriteria"]["criteria"]]
    assert any("employer's liability" in d for d in described)
    assert {c["type"] for c in tender["selectionCriteria"]["criteria"]} >= {"economic",
                                                                            "technical"}
    assert "bids" not in package["releases"][1] and "awards" not in package["releases"][1]
    assert all("noticeType" not in d for d in tender["documents"])  # the Act's codes only
    # the award: deadline passed, results final, sign-off (here: the state it leads to)
    p = find_procurement(p.reference)
    for lot in p.lots:
        lot.results_final_at = datetime(2031, 1, 1)
    p.state = "award_notice"
    db.session.commit()
    monkeypatch.setattr(clock, "utcnow", lambda: datetime.utcnow() + timedelta(days=60))
    award = publish(app, p.reference, "award-notice")
    package = export(app, tmp_path, p.reference)
    assert [r["id"].rsplit("-", 1)[1] for r in package["releases"]] == [
        str(n) for n in (pin, cn, correction, award)]
    last = package["releases"][-1]
    assert last["tag"] == ["award"] and {a["id"] for a in last["awards"]} == {
        "PCR-OPEN-1-A", "PCR-OPEN-1-B"}
    assert last["bids"]["statistics"][0] == {"id": "A-bids", "measure": "bids", "value": 0,
                                             "relatedLot": "A"}


def test_a_pa_2023_procurement_through_every_notice_kind(app, users, tmp_path):
    p = awarded_tender(users, regime="PA2023-OPEN", reference="PA-DA-2024")
    p.dates.append(TimelineDate(kind="tender_deadline", at=datetime(2023, 3, 1, 12, 0),
                                with_time=True))
    db.session.commit()
    kinds = {}
    # planning notices can no longer be published at this stage: publish them first on a twin
    twin = open_tender(users["officer"].organisation, "PA-PLAN-1", regime="PA2023-OPEN")
    for kind in ("UK2", "UK3", "UK4"):
        kinds[kind] = publish(app, twin.reference, kind)
    package = export(app, tmp_path, twin.reference)
    notice_types = [[d.get("noticeType") for d in r["tender"]["documents"]][0]
                    for r in package["releases"]]
    assert notice_types == ["UK2", "UK3", "UK4"]
    assert package["releases"][2]["tender"]["legalBasis"] == {
        "scheme": "UKPGA", "id": "2023/54", "description": "Procurement Act 2023"}
    assert package["releases"][0]["tender"]["documents"][0]["documentType"] == \
        "marketEngagementNotice"
    issue_letters(p, actor="test")
    db.session.commit()
    uk6 = publish(app, p.reference, "UK6")
    package = export(app, tmp_path, p.reference)
    release, = package["releases"]
    award = release["awards"][0]
    assert award["relatedLots"] == ["A"] and award["standstillPeriod"]["endDate"]
    assert award["assessmentSummariesDateSent"].startswith(
        find_procurement(p.reference).date_of("decision_letters").at.date().isoformat())
    winner = award["suppliers"][0]["id"]
    assert {"id": winner, "name": WINNER, "roles": ["supplier", "tenderer"]} in release["parties"]
    assert release["tender"]["documents"][0]["noticeType"] == "UK6"
    p = find_procurement(p.reference)
    p.state = "contract"
    db.session.commit()
    publish(app, p.reference, "UK7")
    package = export(app, tmp_path, p.reference)
    assert [r["tag"] for r in package["releases"]] == [["award"], ["contract"]]
    assert package["releases"][1]["contracts"][0]["awardID"] == f"{p.reference}-A"
    # termination, on a procurement of its own
    ended = open_tender(users["officer"].organisation, "PA-END-1", regime="PA2023-OPEN")
    publish(app, ended.reference, "UK4")
    publish(app, ended.reference, "UK12")
    package = export(app, tmp_path, ended.reference)
    assert package["releases"][-1]["tag"] == ["tenderCancellation"]
    assert package["releases"][-1]["tender"]["status"] == "cancelled"
    assert uk6


def test_bids_details_carry_the_public_versions_weighted_scores_redacted(app, users, tmp_path):
    p = awarded_tender(users)
    publish(app, p.reference, "award-notice")
    package = export(app, tmp_path, p.reference)
    release, = package["releases"]
    details = release["bids"]["details"]
    rows = [(d["relatedLots"][0], d["tenderers"][0]["name"], d["weightedScores"]["total"],
             [(c["id"], c["weightedScore"]) for c in d["weightedScores"]["criteria"]])
            for d in details]
    assert rows == [("A", WINNER, 97.0, [("Q1", 85.0), ("P1", 12.0)]),
                    ("B", WINNER, 95.5, [("Q1", 85.0), ("P1", 10.5)]),
                    ("B", "[REDACTED]", 64.0, [("Q1", 55.0), ("P1", 9.0)])]
    assert SECRET not in json.dumps(package) and LOSER not in json.dumps(package)
    assert details[0]["weightedScores"]["source"]["decisionNumber"]
    assert release["awards"][0]["relatedBid"] == details[0]["id"]
    assert EXTENSION_URLS["bids"] in package["extensions"]


def test_a_deferred_note_withholds_bids_details_until_its_date(app, users, tmp_path,
                                                               monkeypatch):
    from tests.integration.readonly_fixtures import sign_off_note
    from tests.integration.test_decision_note_fixtures import fill_note, make_tender

    p = make_tender(users["officer"].organisation, reference="DEF-3", regime="PCR2015-LTR")
    for lot in p.lots:
        lot.results_final_at = datetime(2023, 8, 1)
    p.state = "results_final"
    fill_note(p, deferral=True, deferral_until="2031-10-02")
    db.session.commit()
    sign_off_note(p, users)
    publish(app, p.reference, "award-notice")
    monkeypatch.setattr(clock, "today", lambda: date(2031, 10, 1))
    release, = export(app, tmp_path, p.reference)["releases"]
    assert "details" not in release["bids"]
    assert release["withheldInformation"][0]["field"] == "bids/details"
    assert release["withheldInformation"][0]["availabilityDate"].startswith("2031-10-02")
    monkeypatch.setattr(clock, "today", lambda: date(2031, 10, 2))
    release, = export(app, tmp_path, p.reference)["releases"]
    assert len(release["bids"]["details"]) == 3 and "withheldInformation" not in release


def test_release_ids_are_unique_and_stable_and_drafts_are_left_out(app, users, tmp_path):
    p = open_tender(users["officer"].organisation, "STABLE-1")
    first = publish(app, p.reference, "PIN")
    one = export(app, tmp_path, p.reference, "one.json")
    publish(app, p.reference, "contract-notice")
    hidden = draft(app, p.reference, "award-notice")
    two = export(app, tmp_path, p.reference, "two.json")
    assert two["releases"][0] == one["releases"][0]  # the earlier release did not change
    ids = [r["id"] for r in two["releases"]]
    assert len(set(ids)) == len(ids) == 2
    assert {r["ocid"] for r in two["releases"]} == {"ocds-tender0-STABLE-1"}
    assert f"notice-{hidden}" not in json.dumps(two) and str(first)
    # the prefix is a setting; a procurement keeps the ocid its first notice was given
    db.session.add(Setting(key="ocds_prefix", value="ocds-abc123"))
    db.session.commit()
    publish(app, p.reference, "contract-notice", "--supersedes",
            two["releases"][1]["id"].rsplit("-", 1)[1])
    assert {r["ocid"] for r in export(app, tmp_path, p.reference)["releases"]} == {
        "ocds-tender0-STABLE-1"}
    q = open_tender(users["officer"].organisation, "STABLE-2")
    publish(app, q.reference, "PIN")
    assert export(app, tmp_path, q.reference)["releases"][0]["ocid"] == "ocds-abc123-STABLE-2"


def test_the_package_online_is_the_export(app, users, tmp_path):
    p = open_tender(users["officer"].organisation, "ONLINE-1")
    publish(app, p.reference, "contract-notice")
    public = SessionClient(app, app.response_class, use_cookies=True)
    resp = public.get(f"/opportunities/{p.reference}/ocds.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Type"].startswith("application/json")
    assert valid(resp.get_json()) == export(app, tmp_path, p.reference)


def test_export_errors(app, users, tmp_path):
    p = open_tender(users["officer"].organisation, "NOTHING-1")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ocds", "export", p.reference, str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "has no published notice" in result.stderr
    assert not (tmp_path / "x.json").exists()
    result = runner.invoke(args=["ocds", "export", "NOPE", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and result.stderr.strip() == "No procurement with reference NOPE"


def test_the_feed_pages_through_every_release_newest_first(app, users, monkeypatch):
    buyer = users["officer"].organisation
    published = []
    base = datetime.utcnow()
    for i in (0, 1, 1, 2, 3):  # two published in the same microsecond: the id breaks the tie
        p = open_tender(buyer, f"FEED-{len(published)}")
        monkeypatch.setattr(clock, "utcnow", lambda at=base + timedelta(minutes=i): at)
        published.append(publish(app, p.reference, "PIN"))
    monkeypatch.undo()
    public = SessionClient(app, app.response_class, use_cookies=True)
    seen, url, pages = [], "/ocds/releases.json?limit=2", 0
    while url:
        package = valid(public.get(url).get_json())
        seen += [r["id"] for r in package["releases"]]
        nxt = package.get("links", {}).get("next")
        url = nxt.replace("http://localhost:5000", "") if nxt else None
        pages += 1
    assert pages == 3
    assert [int(x.rsplit("-", 1)[1]) for x in seen] == list(reversed(published))
    assert public.get("/ocds/releases.json?before=nonsense").status_code == 400
    assert public.get("/ocds/releases.json?before=2031-01-01T09:00:00~99999999999").status_code \
        == 400


def test_every_published_kind_validates_with_the_acceptance_rules(app, users, tmp_path):
    """The same checks as shared/acceptance/ocds-validate (its rules are copied in
    publication/ocds_schema.py): date-times carry an offset, extensions are known."""
    p = open_tender(users["officer"].organisation, "ACC-1", regime="PCR2015-LTR",
                    deadline_days=3, clarification_days=1)
    publish(app, p.reference, "PIN", "--call-for-competition")
    package = export(app, tmp_path, p.reference)
    assert package["releases"][0]["tag"] == ["tender"]
    assert package["releases"][0]["tender"]["specialRegime"] == ["lightTouch"]
    for url in package["extensions"]:
        assert url.startswith("https://raw.githubusercontent.com/") and url.endswith(
            "/extension.json")
    assert notice_cli(app, "list", p.reference).exit_code == 0


@pytest.mark.parametrize("regime,kind", [("PCR2015-OPEN", "contract-notice"),
                                         ("PA2023-CFP", "UK4")])
def test_a_tender_with_documents_and_answers_validates(app, users, tmp_path, regime, kind):
    from tests.integration.test_tender_documents import PDF
    import hashlib
    from procurement.notices.models import Clarification, TenderDocument

    p = open_tender(users["officer"].organisation, f"DOCS-{kind}", regime=regime)
    db.session.add(TenderDocument(procurement_id=p.id, title="Specification",
                                  filename="spec.pdf", file_type="pdf",
                                  content_type="application/pdf", size=len(PDF),
                                  sha256=hashlib.sha256(PDF).hexdigest(), content=PDF))
    db.session.commit()
    publish(app, p.reference, kind)
    db.session.add(Clarification(procurement_id=p.id, question="Q?", public_question="Q?",
                                 answer="A.", asked_at=clock.utcnow(),
                                 published_at=clock.utcnow(),
                                 asker_organisation_id=users["supplier"].organisation_id))
    db.session.commit()
    release, = export(app, tmp_path, p.reference)["releases"]
    docs = [d["documentType"] for d in release["tender"]["documents"]]
    assert docs[-1] == "biddingDocuments"
    assert release["tender"]["enquiries"][0]["answer"] == "A."
