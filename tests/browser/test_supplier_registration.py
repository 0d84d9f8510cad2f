"""A supplier registers through the form in real Chromium, confirms by the link in the mail a
real SMTP server received, signs in and invites a colleague, who accepts; axe-core finds no
violation on any of these pages, with their errors shown too."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.flow import fill_form
from tests.registration import PASSWORD, details, link_path, mail_to_smtp
from tests.smtp_server import SMTPServer

EMAIL = "sam@riverside-care.example"


@pytest.fixture()
def smtp(live_server):
    """The served app's mail to a real SMTP server for this test (and back after)."""
    with mail_to_smtp(live_server["app"]) as server:
        yield server


def link_to(smtp: SMTPServer, address: str) -> str:
    (message,) = [m for m in smtp.wait_for(1) if m["To"] == address][-1:]
    return link_path(message)


def test_register_confirm_sign_in_and_invite(page, smtp, browser, live_server):
    page.goto("/login")
    page.click("text=Register your organisation as a supplier")
    assert page.title().startswith("Register your organisation as a supplier")
    assert_accessible(page)

    page.click("#register")  # nothing filled in: every question's error, linked
    summary = page.locator(".govuk-error-summary")
    assert "Enter your organisation's name" in summary.inner_text()
    assert "Select yes if your organisation is an SME" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.locator("a", has_text="Select yes if your organisation is an SME").click()
    assert page.evaluate("document.activeElement.id") == "sme"

    fill_form(page, details(organisation_name="Riverside Care Ltd",
                            identifier="1234",  # not a company number
                            address="2 River Lane\nStone\nST15 8AA", email=EMAIL))
    page.click("#register")
    assert "Enter a real Companies House number" in page.locator(
        ".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.fill("#identifier", "09876543")
    page.fill("#password", PASSWORD)  # a password field is never filled back in
    page.fill("#confirm_password", PASSWORD)
    page.click("#register")
    assert page.title().startswith("Check your email")
    assert EMAIL in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(link_to(smtp, EMAIL))
    assert page.title().startswith("Your email address is confirmed")
    assert_accessible(page)
    page.click("#sign-in")
    sign_in(page, EMAIL, PASSWORD)
    assert "Riverside Care Ltd" in page.locator("#organisation").inner_text()

    page.click("#manage-users")
    assert page.title().startswith("Your organisation's users")
    assert_accessible(page)
    page.click("#invite")
    assert "Enter the person's name" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.fill("#name", "Alex Green")
    page.fill("#email", "alex@riverside-care.example")
    page.click("#invite")
    assert "Invited" in page.locator("#users").inner_text()
    assert_accessible(page)

    invitee = browser.new_context(base_url=live_server["url"]).new_page()
    try:
        invitee.goto(link_to(smtp, "alex@riverside-care.example"))
        assert invitee.title().startswith("Accept your invitation")
        assert_accessible(invitee)
        invitee.fill("#password", PASSWORD)
        invitee.fill("#confirm_password", PASSWORD + " not the same")
        invitee.click("#accept")
        assert "do not match" in invitee.locator(".govuk-error-summary").inner_text()
        assert_accessible(invitee)
        invitee.fill("#password", PASSWORD)
        invitee.fill("#confirm_password", PASSWORD)
        invitee.click("#accept")
        assert invitee.title().startswith("Sign in")
        sign_in(invitee, "alex@riverside-care.example", PASSWORD)
        assert "Riverside Care Ltd" in invitee.locator("#organisation").inner_text()
    finally:
        invitee.context.close()


def test_a_link_that_is_not_right_says_so_accessibly(page):
    page.goto("/register/confirm/not-a-real-token")
    assert page.title().startswith("This link is not right")
    assert_accessible(page)
