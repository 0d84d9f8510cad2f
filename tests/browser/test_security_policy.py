"""The Content-Security-Policy in real Chromium: GOV.UK Frontend still starts, an inline
script does not run, and the page cannot be framed (issue 10, item 3)."""
from __future__ import annotations


def test_govuk_frontend_starts_under_the_policy(page):
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    classes = page.evaluate("() => document.body.className")
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes
    # initAll ran: the error summary takes the focus once the empty form is sent
    page.click("button[type=submit]")
    page.wait_for_function("() => document.activeElement.classList.contains("
                           "'govuk-error-summary')", timeout=5000)


def test_an_injected_inline_script_is_blocked(browser, live_server):
    context = browser.new_context(base_url=live_server["url"])
    try:
        pg = context.new_page()
        messages = []
        pg.on("console", lambda m: messages.append(m.text))
        pg.goto("/login")
        pg.evaluate("""() => { const s = document.createElement('script');
                               s.textContent = 'window.injected = true';
                               document.body.appendChild(s); }""")
        assert pg.evaluate("() => window.injected === undefined")
        assert any("Content Security Policy" in m for m in messages)
    finally:
        context.close()


def test_the_app_cannot_be_framed(browser, live_server):
    context = browser.new_context()
    try:
        pg = context.new_page()
        messages = []
        pg.on("console", lambda m: messages.append(m.text))
        pg.set_content(f'<iframe src="{live_server["url"]}/login"></iframe>')
        pg.wait_for_timeout(1000)
        frame = pg.frames[-1]
        assert "Sign in" not in (frame.content() if frame != pg.main_frame else "")
        assert any("frame-ancestors" in m or "X-Frame-Options" in m for m in messages), messages
    finally:
        context.close()
