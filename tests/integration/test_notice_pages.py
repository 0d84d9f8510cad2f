"""The notice pages: an officer drafts, previews (what stops publishing, said), publishes; the
public reads the notice and its PDF. No route changes a published notice, whatever is posted
to it, and later changes to the records do not reach it."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from audit.models import AuditRecord
from extensions import db
from procurement.notices.models import Notice
from tests.integration.notice_fixtures import (csrf_of, notice, open_tender, post_form,
                                               publish)
from tests.integration.signing_fixtures import SessionClient, client_for


def test_an_officer_drafts_previews_and_publishes_through_the_pages(app, users, client):
    p = open_tender(users["officer"].organisation, cpv="")
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{p.reference}/notices"
    html = officer.get(page).get_data(as_text=True)
    assert "Draft a notice" in html and 'value="contract-notice"' in html
    resp = post_form(officer, page, {"kind": "contract-notice", "supersedes": "0"},
                     token_from=page)
    assert resp.status_code == 302
    notice_id = db.session.scalar(select(func.max(Notice.id)))
    preview = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Draft" in preview and "Lot A outreach" in preview and "60%" in preview
    assert "No CPV code is recorded" in preview  # a warning, not a refusal
    assert 'id="publish"' in preview
    resp = post_form(officer, f"{page}/{notice_id}/publish", token_from=page,
                     follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "The contract notice is published." in html and "Published" in html
    public = client.get(f"/opportunities/{p.reference}/notices/{notice_id}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Community domestic abuse outreach services" in text and "Lot B outreach" in text
    pdf = client.get(f"/opportunities/{p.reference}/notices/{notice_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(pdf.data).hexdigest() == notice(notice_id).pdf_sha256


def test_the_preview_says_why_a_notice_cannot_be_published_and_publishing_refuses(app, users):
    p = open_tender(users["officer"].organisation, deadline_days=10)
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{p.reference}/notices"
    post_form(officer, page, {"kind": "contract-notice"}, token_from=page)
    notice_id = db.session.scalar(select(func.max(Notice.id)))
    html = officer.get(f"{page}/{notice_id}").get_data(as_text=True)
    assert "This notice cannot be published yet" in html and "minimum period" in html
    assert 'id="publish"' not in html
    before = db.session.scalar(select(func.count(AuditRecord.id)))
    resp = post_form(officer, f"{page}/{notice_id}/publish", token_from=page,
                     follow_redirects=True)
    assert "shorter than the minimum period" in resp.get_data(as_text=True)
    db.session.rollback()
    assert notice(notice_id).state == "draft"
    assert db.session.scalar(select(func.count(AuditRecord.id))) == before


def test_a_kind_the_regime_does_not_have_is_refused_on_the_page(app, users):
    p = open_tender(users["officer"].organisation)
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{p.reference}/notices"
    resp = post_form(officer, page, {"kind": "UK4"}, token_from=page)
    assert resp.status_code == 400 and "UK4 is not a notice of the PCR2015-OPEN regime" in \
        resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_posting_without_the_csrf_token_is_refused(app, users):
    p = open_tender(users["officer"].organisation)
    officer = client_for(app, users["officer"].email)
    resp = officer.post(f"/procurements/{p.reference}/notices", data={"kind": "PIN"})
    assert resp.status_code == 400
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def frozen(notice_id: int) -> tuple:
    n = notice(notice_id)
    return (n.state, n.kind, n.published_at, n.content_sha256, n.pdf_sha256,
            hashlib.sha256(n.pdf).hexdigest(), n.ocds_release_id, n.supersedes_id,
            repr(sorted(n.content.items())))


def test_no_route_changes_a_published_notice(app, users):
    """Every route naming a notice, every method it answers, posted with a valid token as
    the officer, with whatever a form could carry: the published notice stays as it was."""
    p = open_tender(users["officer"].organisation)
    notice_id = publish(app, p.reference, "contract-notice")
    before = frozen(notice_id)
    officer = client_for(app, users["officer"].email)
    token_page = f"/procurements/{p.reference}/notices"
    tried = 0
    for rule in app.url_map.iter_rules():
        if "notice_id" not in rule.arguments:
            continue
        url = rule.build({"reference": p.reference, "notice_id": notice_id})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": csrf_of(officer, token_page), "kind": "award-notice",
                    "supersedes": str(notice_id), "content": "{}", "state": "draft"}
            resp = officer.open(url, method=method, data=data)
            tried += 1
            assert resp.status_code in (200, 302, 405, 409), (method, url, resp.status_code)
            assert frozen(notice_id) == before, f"{method} {url} changed the published notice"
    assert tried == 5  # preview, publish, discard; the public page and its PDF
    resp = officer.post(token_page, data={"csrf_token": csrf_of(officer, token_page),
                                          "kind": "contract-notice", "supersedes": notice_id})
    assert resp.status_code == 302 and frozen(notice_id) == before  # a new draft instead
    # the commands refuse too
    result = app.test_cli_runner().invoke(args=["notice", "publish", p.reference,
                                                str(notice_id)])
    assert result.exit_code == 1 and frozen(notice_id) == before


def test_discarding_a_published_notice_is_refused_and_a_draft_goes(app, users):
    p = open_tender(users["officer"].organisation)
    notice_id = publish(app, p.reference, "contract-notice")
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{p.reference}/notices"
    assert post_form(officer, f"{page}/{notice_id}/discard", token_from=page).status_code == 409
    assert notice(notice_id) is not None
    post_form(officer, page, {"kind": "PIN"}, token_from=page)
    draft_id = db.session.scalar(select(func.max(Notice.id)))
    assert post_form(officer, f"{page}/{draft_id}/discard", token_from=page).status_code == 302
    assert notice(draft_id) is None


def test_later_changes_to_the_records_do_not_reach_a_published_notice(app, users, client):
    p = open_tender(users["officer"].organisation)
    notice_id = publish(app, p.reference, "contract-notice")
    before = frozen(notice_id)
    page = client.get(f"/opportunities/{p.reference}/notices/{notice_id}").get_data(as_text=True)
    p.lots[0].title = "Renamed after publication"
    p.title = "A new title"
    db.session.commit()
    assert frozen(notice_id) == before
    again = client.get(f"/opportunities/{p.reference}/notices/{notice_id}").get_data(as_text=True)
    assert "Renamed after publication" not in again and "Lot A outreach" in again
    assert again == page


def test_other_people_cannot_use_the_officer_pages(app, users):
    p = open_tender(users["officer"].organisation)
    notice_id = publish(app, p.reference, "contract-notice")
    for role, status in (("supplier", 404), ("evaluator", 403), ("chief_executive", 403)):
        c = client_for(app, users[role].email)
        assert c.get(f"/procurements/{p.reference}/notices").status_code == status, role
        assert c.get(f"/procurements/{p.reference}/notices/{notice_id}").status_code == status
    nobody = SessionClient(app, app.response_class, use_cookies=True)
    assert nobody.get(f"/procurements/{p.reference}/notices").status_code == 302


def test_a_draft_is_not_public_and_an_unpublished_procurement_has_no_page(app, users, client):
    p = open_tender(users["officer"].organisation)
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{p.reference}/notices"
    post_form(officer, page, {"kind": "contract-notice"}, token_from=page)
    draft_id = db.session.scalar(select(func.max(Notice.id)))
    for path in (f"/opportunities/{p.reference}", f"/opportunities/{p.reference}/ocds.json",
                 f"/opportunities/{p.reference}/notices/{draft_id}",
                 f"/opportunities/{p.reference}/notices/{draft_id}.pdf"):
        assert client.get(path).status_code == 404, path
    publish(app, p.reference, "PIN")
    assert client.get(f"/opportunities/{p.reference}").status_code == 200
    assert client.get(f"/opportunities/{p.reference}/notices/{draft_id}").status_code == 404
