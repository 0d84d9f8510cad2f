"""A decision job's progress page in Chromium: it waits for a worker, updates itself (its
same-origin script, under the Content-Security-Policy) and ends with the download; axe-core
on both states."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture()
def large(live_server):
    """The demo tender counts as large: its note's PDFs are jobs (no worker runs them)."""
    app = live_server["app"]
    old = app.config["JOB_DECISION_BIDS"]
    app.config["JOB_DECISION_BIDS"] = 0
    yield app
    app.config["JOB_DECISION_BIDS"] = old


def test_the_pack_s_progress_page_updates_itself_to_the_download(page, large):
    from procurement import jobs

    sign_in(page, "officer@demo.example.org")
    page.wait_for_url("**/procurements")
    page.goto("/procurements/SCO-DA-2023/decision-note/pack.pdf")
    page.wait_for_url("**/decision-note/jobs/*")
    assert "Waiting for a worker" in page.locator("#job-state").inner_text()
    assert page.locator("#job-download").count() == 0
    assert_accessible(page)
    job_id = page.url.rsplit("/", 1)[1]
    with large.app_context():  # the worker takes it; the page sees it on its next poll
        assert jobs.execute(job_id) == "done"
    page.wait_for_selector("#job-download", timeout=15000)
    assert "Done" in page.locator("#job-state").inner_text()
    assert "decision pack.pdf" in page.locator("#job-download").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename.endswith("decision pack.pdf")
