"""The administrator's pages in real Chromium, with their errors, each checked by axe-core."""
from tests.browser.conftest import assert_accessible, sign_in


def test_admin_pages_and_their_errors_are_accessible(page):
    sign_in(page, "admin@demo.example.org")
    for path in ("/admin/users", "/admin/users/new", "/admin/organisations",
                 "/admin/organisations/new", "/admin/settings", "/admin/settings/ocds_prefix"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/admin/users/new")
    page.fill("#email", "officer@demo.example.org")
    page.fill("#name", "Someone")
    page.fill("#password", "short")
    page.click("#save-user")
    summary = page.locator(".govuk-error-summary")
    assert "Select the person" in summary.inner_text()
    assert "12 characters or more" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.goto("/admin/settings/ocds_prefix")
    page.fill("#value", "not-ocds")
    page.fill("#from_year", "2001")
    page.click("#save-setting")
    assert "must start with ocds-" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.goto("/admin/organisations")
    page.locator("td a", has_text="Change").first.click()
    assert page.title().startswith("Change ")
    assert_accessible(page)
    page.goto("/admin/users")
    page.locator("td a", has_text="Change").first.click()
    assert_accessible(page)
    page.click("#reset-password")
    assert_accessible(page)
