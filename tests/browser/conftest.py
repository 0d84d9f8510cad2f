"""Real Chromium (Debian's package) driven by Playwright against the app on a local port.

Skipped, with the reason, only where Chromium truly cannot be had (make test installs it).

The pages run under the app's real Content-Security-Policy (no bypass_csp): axe-core is
loaded from the app's own /static/vendor/axe.min.js, which the policy allows, and every
test fails if the browser reported a policy violation (an inline script or style that the
policy blocked), so the browser tests also prove the policy breaks nothing."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server():
    """The app with the demo loaded, on a free local port, in a background thread."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian package chromium)")
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app

    tmp = tempfile.mkdtemp(prefix="tender-browser-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/browser.db",
                      "TESTING": False})
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()
    with app.app_context():
        from extensions import db
        db.engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server["url"])
    pg = context.new_page()
    pg.set_default_timeout(10000)
    blocked: list[str] = []
    pg.on("console", lambda message: blocked.append(message.text)
          if "Content Security Policy" in message.text else None)
    yield pg
    context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


def axe_violations(pg) -> list[dict]:
    """Run axe-core (served locally from npm's package) on the page: WCAG 2.x A and AA rules and
    axe's best practices (landmarks, one h1, heading order)."""
    if not pg.evaluate("() => typeof window.axe === 'object'"):  # not there by init script
        assert AXE.exists(), f"{AXE} is missing: make assets copies it from npm"
        pg.add_script_tag(url="/static/vendor/axe.min.js")  # same origin: the policy allows it
    result = pg.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                    'best-practice']},
            resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return result


def assert_accessible(pg):
    violations = axe_violations(pg)
    assert not violations, f"axe violations on {pg.url}:\n{json.dumps(violations, indent=1)}"


def sign_in(pg, email: str, password: str = "tender-demo-2023"):
    pg.goto("/login")
    pg.fill("#email", email)
    pg.fill("#password", password)
    pg.click("button[type=submit]")
