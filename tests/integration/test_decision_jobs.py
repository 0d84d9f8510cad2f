"""The decision pack and the letters of a large tender as background jobs (decisions.jobs).

Above JOB_DECISION_BIDS bids (lowered here, rather than building 200 bids) the note's PDFs,
the letters' zip and issuing the letters answer 303 to a progress page at once; the page
shows rows done of the total and ends with the file (an attachment, with its name) or the
errors. Issuing is every letter or none, and never twice: a retried job, a second click, two
jobs at once. A job is seen with the grants of the act that started it, through its own
procurement only. At or below the size everything answers in the request, as before.
"""
from __future__ import annotations

import io
import re
import threading
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, User
from audit.models import AuditRecord
from decisions import jobs as decision_jobs
from decisions.letters import service as letter_service
from decisions.models import DecisionNote, Letter
from decisions.note.service import get_or_create_note
from evaluation.models import Consensus
from extensions import db
from procurement import jobs
from procurement.models import TimelineDate
from tests.conftest import _password_hash, csrf_token
from tests.integration.test_decision_note_fixtures import (LOSER, REF, SECRET, WINNER,
                                                           add_letter_lots, fill_note,
                                                           make_tender, pdf_text)
from tests.integration.test_evaluation_fixtures import PersonClient, client_for

NOTE = f"/procurements/{REF}/decision-note"
LETTERS = f"/procurements/{REF}/letters"
BIDS = 9  # make_tender's 3 and add_letter_lots' 6
JOB_ID = re.compile(r"/jobs/([0-9a-f]{32})$")


@pytest.fixture()
def procurement(app, users, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2023, 12, 15))
    p = make_tender(users["officer"].organisation, supplier_org=users["supplier"].organisation)
    add_letter_lots(p)
    fill_note(p)
    db.session.commit()
    return p


@pytest.fixture()
def large(app):
    """Every tender with a bid is a large one (the setting, as the app reads it)."""
    old = app.config["JOB_DECISION_BIDS"]
    app.config["JOB_DECISION_BIDS"] = 0
    yield
    app.config["JOB_DECISION_BIDS"] = old


@pytest.fixture()
def queued(monkeypatch):
    """Jobs wait in the queue (no worker yet): the test runs them with jobs.execute."""
    monkeypatch.setattr(jobs, "run_job", lambda job_id: None)


def sign(p) -> None:
    get_or_create_note(p).state = "completed"
    db.session.commit()


def issue(client):
    return client.post(f"{LETTERS}/issue", data={"csrf_token": csrf_token(client, LETTERS)})


def job_of(resp) -> jobs.Job:
    assert resp.status_code == 303, resp.status_code
    found = JOB_ID.search(resp.headers["Location"])
    assert found, resp.headers["Location"]
    db.session.expire_all()
    return db.session.get(jobs.Job, found.group(1))


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def letter_audits() -> int:
    return count(AuditRecord, AuditRecord.entity == "letter")


# -- the note's PDFs --------------------------------------------------------------------------

@pytest.mark.parametrize("path,filename", (
    ("note.pdf", f"{REF} decision note.pdf"),
    ("pack.pdf", f"{REF} decision pack.pdf"),
    ("public-preview.pdf", f"{REF} decision note (public version preview).pdf")))
def test_a_large_tender_s_pdf_is_a_job_that_ends_with_the_file(
        client, login_as, procurement, large, path, filename):
    login_as("officer")
    resp = client.get(f"{NOTE}/{path}")
    job = job_of(resp)
    page = resp.headers["Location"]
    assert page.startswith(f"{NOTE}/jobs/")
    assert job.state == "done" and job.params["total"] == BIDS
    assert (job.rows_read, job.rows_checked, job.rows_written) == (BIDS, BIDS, BIDS)
    html = client.get(page).get_data(as_text=True)
    assert 'id="job-download"' in html and f"Download {filename}" in html
    assert f'<span id="job-written">{BIDS}</span> of {BIDS}' in html
    got = client.get(f"{page}/download")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    text = pdf_text(got.data)
    assert WINNER in text
    assert (SECRET in text) == (path != "public-preview.pdf")  # the preview is redacted


def test_the_progress_page_shows_rows_done_of_total_then_the_file(
        client, login_as, procurement, large, queued):
    login_as("officer")
    resp = client.get(f"{NOTE}/pack.pdf")
    job = job_of(resp)
    page = resp.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "Waiting for a worker" in html and f'<span id="job-written">0</span> of {BIDS}' in html
    assert 'id="job-download"' not in html and "job-progress.js" in html
    assert 'data-finished="no"' in html and 'id="job-refresh"' in html
    status = client.get(f"{page}/status.json")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json()["finished"] is False and status.get_json()["total"] == BIDS
    assert client.get(f"{page}/download").status_code == 404  # nothing to download yet
    assert jobs.execute(job.id) == "done"
    status = client.get(f"{page}/status.json").get_json()
    assert status["finished"] and status["counts"]["written"] == BIDS and status["page"] == page
    html = client.get(page).get_data(as_text=True)
    assert 'id="job-download"' in html and 'data-finished="yes"' in html
    assert client.get(f"{page}/download").status_code == 200


def test_a_pdf_job_writes_nothing_when_there_is_no_note_yet(client, login_as, users, large):
    p = make_tender(users["officer"].organisation)
    db.session.commit()
    login_as("officer")
    job = job_of(client.get(f"{NOTE}/pack.pdf"))
    assert job.state == "done" and job.result["bytes"] > 0
    assert count(DecisionNote, DecisionNote.procurement_id == p.id) == 0


def test_an_approver_starts_and_downloads_a_pdf_job(client, login_as, procurement, large):
    login_as("chief_executive")
    resp = client.get(f"{NOTE}/note.pdf")
    job_of(resp)
    assert client.get(resp.headers["Location"]).status_code == 200
    assert client.get(resp.headers["Location"] + "/download").status_code == 200


# -- the letters' zip ---------------------------------------------------------------------------

def test_a_large_tender_s_letters_zip_is_a_job(client, login_as, procurement, large):
    login_as("officer")
    resp = client.get(f"/procurements/{REF}/letters.zip")
    job = job_of(resp)
    page = resp.headers["Location"]
    assert page.startswith(f"{LETTERS}/jobs/") and job.result["letters"] == BIDS
    assert (job.rows_read, job.rows_written) == (BIDS, BIDS)
    html = client.get(page).get_data(as_text=True)
    assert f"Download {REF} letters.zip" in html
    got = client.get(f"{page}/letters.zip")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    assert got.headers["Content-Disposition"] == f'attachment; filename="{REF} letters.zip"'
    names = zipfile.ZipFile(io.BytesIO(got.data)).namelist()
    assert len(names) == BIDS and f"{REF} Lot B - {LOSER}.pdf" in names
    assert count(Letter) == 0  # drawing them issues nothing


# -- issuing the letters -------------------------------------------------------------------------

def test_issuing_a_large_tender_s_letters_is_a_job_that_issues_every_letter_once(
        client, login_as, procurement, large):
    sign(procurement)
    login_as("officer")
    resp = issue(client)
    job = job_of(resp)
    assert job.state == "done" and job.result == {"issued": BIDS, "already": False}
    assert (job.rows_read, job.rows_checked, job.rows_written) == (BIDS, BIDS, BIDS)
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{BIDS} letters issued." in html and 'id="job-download"' not in html
    assert count(Letter) == BIDS and letter_audits() == BIDS
    audits = db.session.execute(select(AuditRecord).filter_by(entity="letter")).scalars()
    assert {a.actor for a in audits} == {"officer@example.org"}  # for whom the job ran
    assert all(len(x.data_sha256) == 64 for x in db.session.execute(select(Letter)).scalars())
    assert count(TimelineDate, TimelineDate.kind == "decision_letters") == 1
    # the worker retried the task (or a second worker took it): nothing is issued again
    assert jobs.execute(job.id) == "done"
    assert count(Letter) == BIDS and letter_audits() == BIDS
    # a second click: a second job, which finds every letter issued as it would issue it
    resp = issue(client)
    again = job_of(resp)
    assert again.id != job.id and again.result == {"issued": 0, "already": True}
    assert "had been issued already" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert count(Letter) == BIDS and letter_audits() == BIDS
    assert "Records changed since" not in client.get(LETTERS).get_data(as_text=True)


def test_a_changed_record_is_issued_again_by_a_later_job(client, login_as, procurement, large):
    """"Never twice" is the same letters twice: after a change the letters go out again."""
    sign(procurement)
    login_as("officer")
    job_of(issue(client))
    consensus = db.session.execute(select(Consensus)).scalars().first()
    consensus.value = consensus.value - 1
    db.session.commit()
    assert "Records changed since" in client.get(LETTERS).get_data(as_text=True)
    assert job_of(issue(client)).result == {"issued": BIDS, "already": False}
    assert count(Letter) == 2 * BIDS


def test_two_clicks_at_once_issue_one_set(app, client, login_as, procurement, large, queued,
                                          monkeypatch):
    """Both jobs find nothing issued and draw every letter; the first to take the
    procurement's lock issues them, the second finds them issued under the lock."""
    sign(procurement)
    login_as("officer")
    first, second = job_of(issue(client)), job_of(issue(client))
    real_lock = letter_service.lock_procurement
    ran, started = [], []

    def the_other_job_commits_first(p):
        if not started:  # while `second` drew its letters, a worker ran `first` to the end
            started.append(True)

            def other():
                with app.app_context():  # its own session, as another worker's
                    ran.append(jobs.execute(first.id))
                    db.session.remove()
            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
        real_lock(p)

    monkeypatch.setattr(letter_service, "lock_procurement", the_other_job_commits_first)
    assert jobs.execute(second.id) == "done" and ran == ["done"]
    db.session.expire_all()
    assert db.session.get(jobs.Job, first.id).result == {"issued": BIDS, "already": False}
    assert db.session.get(jobs.Job, second.id).result == {"issued": 0, "already": True}
    assert count(Letter) == BIDS and letter_audits() == BIDS


def test_a_job_that_dies_half_way_issues_no_letter_and_its_retry_issues_them_once(
        client, login_as, procurement, large, monkeypatch):
    sign(procurement)
    login_as("officer")
    real, drawn = letter_service.render_letter, []

    def dies_at_the_fifth(data):
        drawn.append(data)
        if len(drawn) == 5:
            raise RuntimeError("the worker died")
        return real(data)

    monkeypatch.setattr(letter_service, "render_letter", dies_at_the_fifth)
    job = job_of(issue(client))
    assert job.state == "running"  # huey retries it later
    assert count(Letter) == 0 and letter_audits() == 0
    assert count(TimelineDate, TimelineDate.kind == "decision_letters") == 0
    monkeypatch.setattr(letter_service, "render_letter", real)
    assert jobs.execute(job.id) == "done" and count(Letter) == BIDS
    assert jobs.execute(job.id) == "done" and count(Letter) == BIDS


def test_a_job_that_dies_after_writing_leaves_no_letter(client, login_as, procurement, large,
                                                        monkeypatch):
    sign(procurement)
    login_as("officer")
    real = jobs.HANDLERS[decision_jobs.LETTERS_ISSUE]

    def dies(job, progress):
        real(job, progress)  # every letter and audit record written, then the worker dies
        raise RuntimeError("the worker died")

    monkeypatch.setitem(jobs.HANDLERS, decision_jobs.LETTERS_ISSUE, dies)
    job_of(issue(client))
    assert count(Letter) == 0 and letter_audits() == 0


def test_a_refused_issue_job_fails_with_the_reason_and_issues_nothing(
        client, login_as, procurement, large):
    login_as("officer")  # the note is not signed
    resp = issue(client)
    job = job_of(resp)
    assert job.state == "failed" and "Letters go out after the decision" in job.errors[0]["message"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="job-errors"' in html and "Letters go out after the decision" in html
    assert "no letter was issued" in html
    assert count(Letter) == 0 and letter_audits() == 0


def test_issuing_without_csrf_starts_no_job(client, login_as, procurement, large):
    sign(procurement)
    login_as("officer")
    assert client.post(f"{LETTERS}/issue").status_code == 400
    assert count(jobs.Job) == 0 and count(Letter) == 0


# -- who sees a job --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ("evaluator", "finance", "admin"))
def test_other_roles_neither_start_nor_see_a_job(app, client, login_as, procurement, large,
                                                 role):
    login_as("officer")
    pack = client.get(f"{NOTE}/pack.pdf").headers["Location"]
    zipped = client.get(f"/procurements/{REF}/letters.zip").headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, LETTERS)})
    started = count(jobs.Job)
    login_as(role)
    assert client.get(f"{NOTE}/pack.pdf").status_code == 403
    assert client.get(f"/procurements/{REF}/letters.zip").status_code == 403
    for page, output in ((pack, "download"), (zipped, "letters.zip")):
        for path in (page, f"{page}/status.json", f"{page}/{output}"):
            assert client.get(path).status_code == 403, path
    assert count(jobs.Job) == started


def test_an_approver_does_not_see_the_letters_jobs(client, login_as, procurement, large):
    login_as("officer")
    zipped = client.get(f"/procurements/{REF}/letters.zip").headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, LETTERS)})
    login_as("commissioner")
    assert client.get(zipped).status_code == 403
    assert client.get(f"{zipped}/letters.zip").status_code == 403


def test_a_job_is_seen_only_through_its_own_procurement_and_family(
        client, login_as, users, procurement, large):
    make_tender(users["officer"].organisation, reference="SCO-OTHER-2023")
    db.session.commit()
    login_as("officer")
    pack = client.get(f"{NOTE}/pack.pdf").headers["Location"]
    zipped = client.get(f"/procurements/{REF}/letters.zip").headers["Location"]
    pack_id, zip_id = pack.rsplit("/", 1)[1], zipped.rsplit("/", 1)[1]
    other = "/procurements/SCO-OTHER-2023"
    for path in (f"{other}/decision-note/jobs/{pack_id}",
                 f"{other}/decision-note/jobs/{pack_id}/download",
                 f"{other}/letters/jobs/{zip_id}/letters.zip",
                 f"{NOTE}/jobs/{zip_id}", f"{NOTE}/jobs/{zip_id}/download",  # another family
                 f"{LETTERS}/jobs/{pack_id}", f"{LETTERS}/jobs/{pack_id}/status.json",
                 f"{NOTE}/jobs/{'f' * 32}", f"{NOTE}/jobs/{pack_id[:-1]}",
                 f"/evaluation/{REF}/jobs/{pack_id}/workbook.xlsx"):  # not a workbook
        assert client.get(path).status_code == 404, path


def test_another_organisation_is_not_told_the_job_exists(app, procurement, large, users):
    pack = client_for(app, users["officer"]).get(f"{NOTE}/pack.pdf").headers["Location"]
    elsewhere = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    strangers = [User(email=f"{role}@elsewhere.example.org", name=role, roles=role,
                      organisation=elsewhere, password_hash=_password_hash())
                 for role in ("officer", "chief_executive")]
    db.session.add_all(strangers)
    db.session.commit()
    for user in (*strangers, users["supplier"]):
        stranger = client_for(app, user)
        for path in (pack, f"{pack}/status.json", f"{pack}/download", f"{NOTE}/pack.pdf"):
            resp = stranger.get(path)
            assert resp.status_code == 404 and WINNER not in resp.get_data(as_text=True), path


def test_anonymous_is_sent_to_sign_in(app, procurement, large, users):
    pack = client_for(app, users["officer"]).get(f"{NOTE}/pack.pdf").headers["Location"]
    anonymous = PersonClient(app, app.response_class, use_cookies=True)
    for path in (pack, f"{pack}/status.json", f"{pack}/download",
                 f"{LETTERS}/jobs/{pack.rsplit('/', 1)[1]}"):
        resp = anonymous.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


# -- a small tender: in the request, as before ------------------------------------------------

def test_a_small_tender_answers_in_the_request(client, login_as, procurement):
    sign(procurement)
    login_as("officer")
    for path in (f"{NOTE}/note.pdf", f"{NOTE}/pack.pdf", f"{NOTE}/public-preview.pdf",
                 f"/procurements/{REF}/letters.zip"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith(
            "attachment"), path
    resp = client.post(f"{LETTERS}/issue", data={"csrf_token": csrf_token(client, LETTERS)},
                       follow_redirects=True)
    assert f"{BIDS} letters issued" in resp.get_data(as_text=True)
    assert count(jobs.Job) == 0 and count(Letter) == BIDS


def test_the_size_is_the_number_of_bids(client, login_as, procurement, app):
    login_as("officer")
    app.config["JOB_DECISION_BIDS"] = BIDS  # not more than the setting: in the request
    try:
        assert client.get(f"{NOTE}/pack.pdf").status_code == 200
        app.config["JOB_DECISION_BIDS"] = BIDS - 1  # one more: a job
        assert client.get(f"{NOTE}/pack.pdf").status_code == 303
    finally:
        app.config["JOB_DECISION_BIDS"] = 200


# -- the letters page: each letter's state from its digest, no letter drawn -------------------

def test_the_letters_page_draws_no_letter(client, login_as, procurement, monkeypatch):
    sign(procurement)
    login_as("officer")
    client.post(f"{LETTERS}/issue", data={"csrf_token": csrf_token(client, LETTERS)})
    assert count(Letter) == BIDS

    def no_drawing(data):
        raise AssertionError("the letters page drew a letter")

    monkeypatch.setattr(letter_service, "render_letter", no_drawing)
    resp = client.get(LETTERS)
    assert resp.status_code == 200 and "Records changed since" not in resp.get_data(as_text=True)
    consensus = db.session.execute(select(Consensus)).scalars().first()
    consensus.value = consensus.value - 1
    db.session.commit()
    html = client.get(LETTERS).get_data(as_text=True)
    assert html.count("Records changed since") == 1  # the bid whose score changed


def test_a_letter_issued_before_digests_is_compared_by_drawing_it(client, login_as,
                                                                  procurement):
    sign(procurement)
    login_as("officer")
    client.post(f"{LETTERS}/issue", data={"csrf_token": csrf_token(client, LETTERS)})
    for letter in db.session.execute(select(Letter)).scalars():
        letter.data_sha256 = None  # as migration 0018 leaves a letter issued before it
    db.session.commit()
    assert "Records changed since" not in client.get(LETTERS).get_data(as_text=True)
    letter = db.session.execute(select(Letter)).scalars().first()
    letter.pdf_sha256 = "0" * 64
    db.session.commit()
    assert "Records changed since" in client.get(LETTERS).get_data(as_text=True)
