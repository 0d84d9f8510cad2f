"""Clarifications: a signed-in supplier asks until questions close; the officer sees who asked,
answers and publishes the answer to everyone, without the asker, on the public page, in OCDS
`tender.enquiries` (no `author`) and on interested suppliers' home pages."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import clock
from audit.models import AuditRecord
from extensions import db
from procurement.access import find_procurement
from procurement.notices.models import Clarification, Interest
from procurement.states import tender_deadline_utc
from tests.integration.notice_fixtures import csrf_of, ocds_export, open_tender, publish
from tests.integration.signing_fixtures import SessionClient, client_for

ASKER_ORG = "Test Supplier Ltd"  # the `users` fixture's supplier organisation
QUESTION = "We at Test Supplier Ltd ask: will TUPE apply to the current staff?"
PUBLIC_QUESTION = "Will TUPE apply to the current staff?"
ANSWER = "Yes: the current staff transfer under TUPE, as annex C lists."


@pytest.fixture()
def opportunity(app, users):
    p = open_tender(users["officer"].organisation)
    publish(app, p.reference, "contract-notice")
    return find_procurement(p.reference)


def ask(client, p, question=QUESTION, lot=""):
    page = f"/opportunities/{p.reference}/questions"
    return client.post(page, data={"csrf_token": csrf_of(client, page), "question": question,
                                   "lot": lot})


def answer_and_publish(client, p, c_id, public_question=PUBLIC_QUESTION, answer=ANSWER):
    page = f"/procurements/{p.reference}/clarifications/{c_id}"
    saved = client.post(page, data={"csrf_token": csrf_of(client, page),
                                    "public_question": public_question, "answer": answer})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]
    return client.post(f"{page}/publish", data={"csrf_token": csrf_of(client, page)})


def identities(users) -> tuple[str, ...]:
    s = users["supplier"]
    return (ASKER_ORG, s.name, s.email, "Test Supplier")


def test_the_whole_round_without_the_asker_anywhere_public(app, users, opportunity, tmp_path):
    supplier = client_for(app, users["supplier"].email)
    assert ask(supplier, opportunity, lot="A").status_code == 302
    c = db.session.scalar(select(Clarification))
    assert (c.asker_id, c.lot.code) == (users["supplier"].id, "A")
    officer = client_for(app, users["officer"].email)
    inbox = officer.get(f"/procurements/{opportunity.reference}/clarifications").get_data(
        as_text=True)
    assert ASKER_ORG in inbox and "New" in inbox
    page = officer.get(f"/procurements/{opportunity.reference}/clarifications/{c.id}"
                       ).get_data(as_text=True)
    assert ASKER_ORG in page and users["supplier"].name in page
    published = answer_and_publish(officer, opportunity, c.id)
    assert published.status_code == 302
    assert find_procurement(opportunity.reference).state == "clarifications"

    public = SessionClient(app, app.response_class, use_cookies=True)
    html = public.get(f"/opportunities/{opportunity.reference}").get_data(as_text=True)
    assert PUBLIC_QUESTION in html and ANSWER in html and "Lot A:" in html
    feed = public.get("/ocds/releases.json").get_data(as_text=True)
    package = public.get(f"/opportunities/{opportunity.reference}/ocds.json").get_data(
        as_text=True)
    exported = ocds_export(app, opportunity.reference, tmp_path / "p.json")
    enquiry, = exported["releases"][0]["tender"]["enquiries"]
    assert enquiry["answer"] == ANSWER and enquiry["description"] == PUBLIC_QUESTION
    assert enquiry["relatedLot"] == "A" and "author" not in enquiry
    for text in (html, feed, package, json.dumps(exported)):
        for who in identities(users):
            assert who not in text, f"the asker ({who}) is public"
        assert '"author"' not in text


def test_interested_suppliers_see_new_answers_on_their_home_page(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    assert "No new answers" in supplier.get("/supplier").get_data(as_text=True)
    ask(supplier, opportunity)
    assert db.session.scalar(select(func.count(Interest.id))) == 1  # asking follows it
    officer = client_for(app, users["officer"].email)
    answer_and_publish(officer, opportunity, db.session.scalar(select(Clarification.id)))
    home = supplier.get("/supplier").get_data(as_text=True)
    assert ANSWER in home and PUBLIC_QUESTION in home and opportunity.title in home
    assert QUESTION not in home  # the answer as published, not the question as asked


def test_following_an_opportunity(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    page = f"/opportunities/{opportunity.reference}"
    assert "Follow this opportunity" in supplier.get(page).get_data(as_text=True)
    resp = supplier.post(f"{page}/interest", data={"csrf_token": csrf_of(supplier, page)})
    assert resp.status_code == 302
    again = supplier.post(f"{page}/interest", data={"csrf_token": csrf_of(supplier, page)})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(Interest.id))) == 1
    assert "Your organisation follows this opportunity" in supplier.get(page).get_data(
        as_text=True)


def test_questions_close_at_the_clarification_deadline(app, users, opportunity, monkeypatch):
    from procurement.notices.queries import questions_close
    assert questions_close(opportunity) < tender_deadline_utc(opportunity)
    monkeypatch.setattr(clock, "utcnow", lambda: questions_close(opportunity))
    supplier = client_for(app, users["supplier"].email)  # signed in then: sessions time out
    before = db.session.scalar(select(func.count(AuditRecord.id)))
    resp = ask(supplier, opportunity)
    assert resp.status_code == 409
    assert "The deadline for clarification questions has passed" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Clarification.id))) == 0
    assert db.session.scalar(select(func.count(AuditRecord.id))) == before
    monkeypatch.setattr(clock, "utcnow", lambda: questions_close(opportunity) - timedelta(
        seconds=1))
    assert ask(supplier, opportunity).status_code == 302


def test_who_may_ask(app, users, opportunity):
    nobody = SessionClient(app, app.response_class, use_cookies=True)
    resp = nobody.get(f"/opportunities/{opportunity.reference}/questions")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    officer = client_for(app, users["officer"].email)
    assert officer.get(f"/opportunities/{opportunity.reference}/questions").status_code == 403
    hidden = open_tender(users["officer"].organisation, "NT-HIDDEN")
    supplier = client_for(app, users["supplier"].email)
    assert supplier.get(f"/opportunities/{hidden.reference}/questions").status_code == 404
    assert db.session.scalar(select(func.count(Clarification.id))) == 0


def test_a_question_must_be_asked_and_about_a_lot_of_this_procurement(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    resp = ask(supplier, opportunity, question="   ")
    assert resp.status_code == 400 and "Enter your question" in resp.get_data(as_text=True)
    resp = ask(supplier, opportunity, lot="Z")
    assert resp.status_code == 400 and "Choose a lot of this procurement" in resp.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count(Clarification.id))) == 0


def test_a_published_answer_is_never_changed(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    ask(supplier, opportunity)
    c_id = db.session.scalar(select(Clarification.id))
    officer = client_for(app, users["officer"].email)
    answer_and_publish(officer, opportunity, c_id)
    page = f"/procurements/{opportunity.reference}/clarifications/{c_id}"
    changed = officer.post(page, data={"csrf_token": csrf_of(officer, page),
                                       "public_question": "Changed?", "answer": "Changed."})
    assert changed.status_code == 409
    again = officer.post(f"{page}/publish", data={"csrf_token": csrf_of(officer, page)})
    assert again.status_code == 409
    db.session.expire_all()
    c = db.session.get(Clarification, c_id)
    assert (c.public_question, c.answer) == (PUBLIC_QUESTION, ANSWER)


def test_publishing_an_answer_close_to_the_deadline_warns_the_officer(app, users, opportunity,
                                                                     monkeypatch):
    supplier = client_for(app, users["supplier"].email)
    ask(supplier, opportunity)
    c_id = db.session.scalar(select(Clarification.id))
    monkeypatch.setattr(clock, "utcnow",
                        lambda: tender_deadline_utc(opportunity) - timedelta(days=5, hours=2))
    officer = client_for(app, users["officer"].email)
    page = officer.get(f"/procurements/{opportunity.reference}/clarifications/{c_id}"
                       ).get_data(as_text=True)
    assert "5 days, 2 hours away, fewer than 6 days" in page
    resp = answer_and_publish(officer, opportunity, c_id)
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "consider extending it" in html and "reg. 47(3)(a)" in html


def test_another_organisations_officer_sees_nothing(app, users, opportunity):
    from accounts.models import Organisation, User
    from tests.conftest import _password_hash
    org = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    other = User(email="officer@elsewhere.example.org", name="Other officer", roles="officer",
                 organisation=org, password_hash=_password_hash())
    db.session.add_all([org, other])
    db.session.commit()
    supplier = client_for(app, users["supplier"].email)
    ask(supplier, opportunity)
    c_id = db.session.scalar(select(Clarification.id))
    c = client_for(app, other.email)
    for path in (f"/procurements/{opportunity.reference}/clarifications",
                 f"/procurements/{opportunity.reference}/clarifications/{c_id}"):
        resp = c.get(path)
        assert resp.status_code == 404 and ASKER_ORG not in resp.get_data(as_text=True)


def test_an_empty_answer_is_refused_and_nothing_is_published(app, users, opportunity):
    supplier = client_for(app, users["supplier"].email)
    ask(supplier, opportunity)
    c_id = db.session.scalar(select(Clarification.id))
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{opportunity.reference}/clarifications/{c_id}"
    resp = officer.post(page, data={"csrf_token": csrf_of(officer, page),
                                    "public_question": PUBLIC_QUESTION, "answer": "  "})
    assert resp.status_code == 400 and "Enter the answer" in resp.get_data(as_text=True)
    resp = officer.post(f"{page}/publish", data={"csrf_token": csrf_of(officer, page)},
                        follow_redirects=True)
    assert "Enter the question as it will be published" in resp.get_data(as_text=True) or \
        "Enter the answer" in resp.get_data(as_text=True)
    db.session.expire_all()
    c = db.session.get(Clarification, c_id)
    assert c.answer is None and c.published_at is None
    assert find_procurement(opportunity.reference).state == "tender_published"
