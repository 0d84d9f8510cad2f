"""The change-password page, its errors and the too-many-attempts page in real Chromium,
each checked by axe-core."""
from tests.browser.conftest import assert_accessible, sign_in


def test_change_password_page_and_its_errors_are_accessible(page):
    sign_in(page, "finance@demo.example.org")
    page.click("text=Change password")
    assert page.title().startswith("Change your password")
    assert_accessible(page)
    page.fill("#current_password", "tender-demo-2023")
    page.fill("#new_password", "too short")
    page.fill("#confirm_password", "not the same")
    page.click("button:has-text('Change password')")
    summary = page.locator(".govuk-error-summary")
    assert "12 characters or more" in summary.inner_text()
    assert "do not match" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.locator("a", has_text="12 characters").click()
    assert page.evaluate("document.activeElement.id") == "new_password"


def test_the_too_many_attempts_page_says_when_and_is_accessible(page):
    for _ in range(6):  # an account that does not exist: nobody else's sign-in is touched
        page.goto("/login")
        page.fill("#email", "nobody.at.all@demo.example.org")
        page.fill("#password", "not the right password")
        page.click("button[type=submit]")
    assert page.title().startswith("Too many attempts to sign in")
    assert "You can try again at" in page.locator("main").inner_text()
    assert_accessible(page)
