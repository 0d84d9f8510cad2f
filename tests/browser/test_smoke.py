"""The first pages in real Chromium, each checked by axe-core."""
from tests.browser.conftest import assert_accessible, sign_in


def test_login_page_is_accessible(page):
    page.goto("/login")
    assert page.title().startswith("Sign in")
    assert_accessible(page)


def test_login_error_summary_links_to_the_field(page):
    page.goto("/login")
    page.click("button[type=submit]")
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_officer_sees_the_demo_results(page):
    sign_in(page, "officer@demo.example.org")
    page.goto("/procurements/SCO-DA-2023")
    text = page.locator("main").inner_text()
    assert "97.00" in text and "95.50" in text and "£3,375,221" in text
    assert_accessible(page)


def test_the_signed_in_bar_is_in_the_header_landmark(page):
    sign_in(page, "finance@demo.example.org")
    page.wait_for_url("**/procurements")
    bar = page.locator("header.govuk-template__header .tender-signout")
    assert bar.count() == 1
    assert "Signed in as" in bar.inner_text()
    assert_accessible(page)  # best-practice rules included: no "region" violation


def test_the_start_page_says_what_the_service_is_and_leads_to_the_public_pages(page):
    page.goto("/")
    assert page.title().startswith("Run a public procurement")
    assert "Beta" in page.locator(".govuk-phase-banner").inner_text()
    assert page.locator("#feedback-link").get_attribute("href").startswith("mailto:")
    assert_accessible(page)
    page.click("#start-decisions")
    page.wait_for_url("**/decisions")
    assert_accessible(page)
    page.goto("/")
    page.click("#start-opportunities")
    page.wait_for_url("**/opportunities")
    page.goto("/")
    page.click("a.govuk-button--start")
    page.wait_for_url("**/login")
