"""The procurement page's "Key dates" in real Chromium, checked by axe-core."""
from tests.browser.conftest import assert_accessible, sign_in


def test_key_dates_show_earliest_dates_bases_and_tags(page):
    sign_in(page, "officer@demo.example.org")
    page.goto("/procurements/SCO-DA-2023")
    dates = page.locator("#key-dates + p + dl")
    # the demo's light-touch tender: no numeric minimum for the deadline; its award notice of
    # Mon 4 Sep 2023 gives a standstill to Thu 14 Sep and a contract from 15 Sep
    deadline = dates.locator("#key-date-tender_deadline").inner_text()
    assert "28 March 2023" in deadline and "No minimum period" in deadline
    assert "reasonable" in deadline
    standstill = dates.locator("#key-date-standstill_end").inner_text()
    assert "14 September 2023" in standstill and "Meets the minimum" in standstill
    assert "PCR 2015 reg. 87(2)" in standstill
    start = dates.locator("#key-date-contract_start").inner_text()
    assert "Earliest lawful: 15 September 2023" in start and "Meets the minimum" in start
    page.screenshot(path="/tmp/key-dates.png", full_page=True)
    assert_accessible(page)
