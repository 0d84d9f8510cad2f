"""Large workbook work as background jobs (procurement.jobs, interchange.jobs): the request
answers at once with a progress page; the job writes every row or none in one transaction
with its outcome; a job done is never run twice; errors by sheet, row and column."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from evaluation.models import Consensus, Score
from extensions import db
from interchange import jobs as workbook_jobs
from procurement import jobs
from tests.integration.test_evaluation_fixtures import client_for, tender  # noqa: F401
from tests.integration.test_evaluation_upload import (_book, _consensus, _declare_all,
                                                      _full_scores, _upload)


@pytest.fixture()
def small_limits(app):
    old = app.config["JOB_UPLOAD_BYTES"], app.config["JOB_EXPORT_SCORES"]
    app.config["JOB_UPLOAD_BYTES"], app.config["JOB_EXPORT_SCORES"] = 1, -1  # every one a job
    yield
    app.config["JOB_UPLOAD_BYTES"], app.config["JOB_EXPORT_SCORES"] = old


def _count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _job() -> jobs.Job:
    db.session.expire_all()
    return db.session.execute(select(jobs.Job)).scalar_one()


def test_a_large_upload_is_a_job_that_ends_with_its_result(app, tender, users, small_limits):  # noqa: F811
    _declare_all(tender)
    officer = client_for(app, users["officer"])
    resp = _upload(officer, _book(Scores=_full_scores(tender), Consensus=_consensus()))
    assert resp.status_code == 302
    page = resp.headers["Location"]
    assert re.search(r"/evaluation/EV-TEST-1/jobs/[0-9a-f]{32}$", page)
    job = _job()
    assert (job.state, job.result) == ("done", {"scores": 12, "consensus": 4})
    assert (job.rows_read, job.rows_checked, job.rows_written) == (16, 16, 16)
    assert _count(Score) == 12 and _count(Consensus) == 4
    html = officer.get(page).get_data(as_text=True)
    assert "Uploaded 12 individual scores and 4 consensus scores" in html
    assert 'id="job-read">16<' in html and "job-progress.js" in html
    status = officer.get(f"{page}/status.json").get_json()
    assert status["finished"] and status["counts"] == {"read": 16, "checked": 16, "written": 16}
    # the worker retried (or a second worker took the same task): nothing is written twice
    assert jobs.execute(job.id) == "done"
    assert _count(Score) == 12


def test_a_failed_upload_job_writes_nothing_and_names_sheet_row_and_column(
        app, tender, users, small_limits):  # noqa: F811
    _declare_all(tender)
    rows = _full_scores(tender)
    rows[3][4] = 9  # out of range
    officer = client_for(app, users["officer"])
    resp = _upload(officer, _book(Scores=rows))
    job = _job()
    assert job.state == "failed" and _count(Score) == 0
    error = next(e for e in job.errors if e["row"] == 4)
    assert (error["sheet"], error["column"]) == ("Scores", "score")
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="job-errors"' in html and "<td class=\"govuk-table__cell\">Scores</td>" in html


def test_a_worker_killed_mid_job_leaves_nothing_and_the_retry_writes_once(
        app, tender, users, small_limits, monkeypatch):  # noqa: F811
    _declare_all(tender)
    officer = client_for(app, users["officer"])
    real = jobs.HANDLERS[workbook_jobs.UPLOAD]

    def dies(job, progress):
        real(job, progress)  # every row written in the transaction, then the worker dies
        raise RuntimeError("the worker died")  # huey records it; the retry comes later

    monkeypatch.setitem(jobs.HANDLERS, workbook_jobs.UPLOAD, dies)
    _upload(officer, _book(Scores=_full_scores(tender)))
    job = _job()
    assert job.state == "running" and _count(Score) == 0  # rolled back: no half upload
    monkeypatch.setitem(jobs.HANDLERS, workbook_jobs.UPLOAD, real)
    assert jobs.execute(job.id) == "done" and _count(Score) == 12
    assert jobs.execute(job.id) == "done" and _count(Score) == 12


def test_a_large_export_is_a_job_with_a_download(app, tender, users, small_limits):  # noqa: F811
    officer = client_for(app, users["officer"])
    resp = officer.get("/evaluation/EV-TEST-1/workbook.xlsx")
    assert resp.status_code == 302
    html = officer.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="job-download"' in html
    got = officer.get(resp.headers["Location"] + "/workbook.xlsx")
    assert got.status_code == 200 and "spreadsheetml" in got.mimetype
    book = openpyxl.load_workbook(io.BytesIO(got.data), read_only=True)
    assert "Scores" in book.sheetnames


def test_small_work_stays_in_the_request(app, tender, users):  # noqa: F811
    officer = client_for(app, users["officer"])
    resp = officer.get("/evaluation/EV-TEST-1/workbook.xlsx")
    assert resp.status_code == 200 and _count(jobs.Job) == 0


def test_a_job_is_seen_only_through_its_own_procurement(app, tender, users, small_limits):  # noqa: F811
    officer = client_for(app, users["officer"])
    page = officer.get("/evaluation/EV-TEST-1/workbook.xlsx").headers["Location"]
    job_id = page.rsplit("/", 1)[1]
    assert officer.get(f"/evaluation/EV-TEST-1/jobs/{'f' * 32}").status_code == 404
    assert officer.get(f"/evaluation/EV-TEST-1/jobs/{job_id[:-1]}").status_code == 404
    evaluator = client_for(app, users["evaluator"])
    assert evaluator.get(page).status_code in (403, 404)
    assert evaluator.get(page + "/workbook.xlsx").status_code in (403, 404)


def test_starting_a_job_forgets_jobs_finished_over_a_week_ago(app, tender, users, small_limits):  # noqa: F811
    """Finished jobs' files do not pile up: a week after it ended, a job and its file go;
    newer ones, and any still running, stay."""
    from datetime import timedelta

    import clock

    from procurement.access import find_procurement

    pid = find_procurement("EV-TEST-1").id
    now = clock.utcnow()
    old = [jobs.Job(id=f"old{n}", kind="workbook_export", procurement_id=pid,
                    state=state, output=b"x" * 1000, finished_at=now - timedelta(days=8))
           for n, state in enumerate((jobs.DONE, jobs.FAILED))]
    kept = [jobs.Job(id="recent", kind="workbook_export", procurement_id=pid,
                     state=jobs.DONE, output=b"y", finished_at=now - timedelta(days=6)),
            jobs.Job(id="running", kind="workbook_export", procurement_id=pid,
                     state=jobs.RUNNING, started_at=now - timedelta(days=30))]
    db.session.add_all(old + kept)
    db.session.commit()
    officer = client_for(app, users["officer"])
    response = officer.get("/evaluation/EV-TEST-1/workbook.xlsx")
    assert response.status_code in (302, 303), response.status_code  # a new export job
    left = set(db.session.execute(select(jobs.Job.id)).scalars())
    assert {"recent", "running"} <= left
    assert not left & {"old0", "old1"}
    assert len(left) == 3  # and the new one


def test_a_job_that_crashes_on_its_last_attempt_ends_failed_and_says_so(
        app, tender, users, small_limits, monkeypatch):  # noqa: F811
    """Huey retries a crashed job twice; after the last attempt the progress page must not
    say "running" for ever: the job ends failed, nothing of it kept, with what to do."""
    from types import SimpleNamespace

    _declare_all(tender)
    officer = client_for(app, users["officer"])
    real = jobs.HANDLERS[workbook_jobs.UPLOAD]

    def dies(job, progress):
        real(job, progress)
        raise RuntimeError("the worker died")

    monkeypatch.setitem(jobs.HANDLERS, workbook_jobs.UPLOAD, dies)
    location = _upload(officer, _book(Scores=_full_scores(tender))).headers["Location"]
    job_id = _job().id
    with pytest.raises(RuntimeError):  # a retry still to come: left running
        jobs.run_job.call_local(job_id, task=SimpleNamespace(retries=1))
    assert _job().state == "running"
    with pytest.raises(RuntimeError):  # the last attempt
        jobs.run_job.call_local(job_id, task=SimpleNamespace(retries=0))
    job = _job()
    assert job.state == "failed" and _count(Score) == 0
    html = officer.get(location).get_data(as_text=True)
    assert "The job stopped before it finished, and nothing of it was kept" in html
    assert jobs.execute(job_id) == "failed"  # and a late duplicate does not run it
