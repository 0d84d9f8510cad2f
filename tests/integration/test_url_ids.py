"""Numbers in URLs (issue 9): an id that cannot be one (too large for the database, zero,
negative, not a number) answers 404 on every route, never 500; so does a page past the last
on the audit page, however large, rather than crashing."""
import re

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app import ID_MAX
from audit.models import AuditRecord
from demo.cli import REFERENCE
from demo.people import DEMO_PASSWORD
from extensions import db
from tests.conftest import login

LOT = "A"
TOO_LARGE = "99999999999999999999"  # 20 digits: past SQLite's INTEGER and PostgreSQL's BIGINT
# past PostgreSQL's INTEGER (the ids' type), and past SQLite's; and not numbers, or not ids
INVALID = [TOO_LARGE, str(ID_MAX + 1), str(2**63 - 1), str(2**63), "abc", "-1", "1.5",
           "9" * 5000]
PLACEHOLDER = re.compile(r"<(?:[a-zA-Z_]\w*(?:\([^)]*\))?:)?([a-zA-Z_]\w*)>")
# the routes' other parts, filled with the demo's procurement and lot
OTHER_VALUES = {"reference": REFERENCE, "code": LOT}


@pytest.fixture()
def officer(app, client):
    """The demo loaded, its procurement officer signed in; CSRF off so posts reach the view."""
    out = app.test_cli_runner().invoke(args=["demo", "load"])
    assert out.exit_code == 0, out.output
    assert login(client, "officer@demo.example.org", DEMO_PASSWORD).status_code == 302
    old, app.config["WTF_CSRF_ENABLED"] = app.config["WTF_CSRF_ENABLED"], False
    yield client
    app.config["WTF_CSRF_ENABLED"] = old


def int_rules(app):
    """(rule, {name: converter} of its number parts) for every rule with one."""
    out = []
    for rule in app.url_map.iter_rules():
        ints = {name: c for name, c in rule._converters.items()
                if isinstance(c, IntegerConverter)}
        if ints:
            out.append((rule, ints))
    return out


def methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def url_for_rule(rule, ints, number: str) -> str:
    def part(m):
        name = m.group(1)
        if name in ints:
            return number
        assert name in OTHER_VALUES, f"{rule.rule}: give the test a value for <{name}>"
        return OTHER_VALUES[name]

    return PLACEHOLDER.sub(part, rule.rule)


def test_every_int_converter_is_bounded_to_database_ids(app):
    rules = int_rules(app)
    endpoints = {rule.endpoint for rule, _ in rules}
    # the walk is not empty: the routes of the issue are among them
    assert {"decisions.letter_pdf", "evaluation.score_bid", "evaluation.consensus",
            "decisions.signoff_version_pdf"} <= endpoints, endpoints
    adapter = app.url_map.bind("localhost")
    for rule, ints in rules:
        for c in ints.values():
            assert (c.min, c.max) == (1, ID_MAX), rule.rule
        for method in methods(rule):
            for good in ("1", "42", str(ID_MAX)):
                endpoint, args = adapter.match(url_for_rule(rule, ints, good), method=method)
                assert endpoint == rule.endpoint and all(args[n] == int(good) for n in ints)
            for bad in INVALID + ["0"]:
                with pytest.raises(NotFound):
                    adapter.match(url_for_rule(rule, ints, bad), method=method)


def test_every_route_with_an_id_answers_404_for_an_id_that_cannot_be_one(app, officer):
    for rule, ints in int_rules(app):
        for bad in INVALID + ["0"]:
            url = url_for_rule(rule, ints, bad)
            for method in ("GET", "POST"):
                resp = officer.open(url, method=method, data={"action": "submit"})
                seen = (method, rule.rule, bad[:25], resp.status_code)
                if method in rule.methods:
                    assert resp.status_code == 404, seen
                else:  # the path has a rule for other methods: werkzeug says so first
                    assert resp.status_code in (404, 405), seen


def test_the_largest_id_is_looked_up_and_not_found_without_a_crash(app, officer):
    """ID_MAX is a valid id that no record has: the view runs and answers, never 500."""
    for rule, ints in int_rules(app):
        url = url_for_rule(rule, ints, str(ID_MAX))
        for method in methods(rule):
            resp = officer.open(url, method=method, data={"action": "submit"})
            assert resp.status_code in (403, 404), (method, url, resp.status_code)


def test_a_note_version_number_from_1_still_opens(app, officer):
    out = app.test_cli_runner().invoke(args=["decision-note", "send", REFERENCE])
    assert out.exit_code == 0, out.output
    base = f"/procurements/{REFERENCE}/decision-note/versions"
    resp = officer.get(f"{base}/1.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert officer.get(f"{base}/0.pdf").status_code == 404
    assert officer.get(f"{base}/2.pdf").status_code == 404


def test_the_audit_page_number_never_crashes_and_past_the_last_is_the_last(app, officer):
    from procurement.audit_trail import PER_PAGE
    from audit.services import record

    for i in range(PER_PAGE + 20):  # two pages of records for the demo procurement
        record("test", i, "touch", None, {"i": i}, procurement_ref=REFERENCE, actor="test")
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.procurement_ref == REFERENCE))
    pages = -(-total // PER_PAGE)
    assert pages >= 2

    def shown(page):
        resp = officer.get(f"/procurements/{REFERENCE}/audit", query_string={"page": page})
        assert resp.status_code == 200, (page[:25], resp.status_code)
        html = resp.get_data(as_text=True)
        where = re.search(r'id="audit-count">(\d+) records, page (\d+) of (\d+)<', html)
        assert where and int(where.group(1)) == total, html[:500]
        return int(where.group(2)), int(where.group(3)), len(re.findall(
            r'<tr class="govuk-table__row">\s*<td', html))

    last = (pages, pages, total - (pages - 1) * PER_PAGE)
    for page in (TOO_LARGE, str(ID_MAX), str(ID_MAX + 1), str(pages + 1), str(pages)):
        assert shown(page) == last, page
    for page in ("1", "0", "-1", "-" + TOO_LARGE, "abc", "1.5", "9" * 5000, ""):
        assert shown(page) == (1, pages, PER_PAGE), page[:25]
