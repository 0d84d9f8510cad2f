"""The administrator's pages through HTTP: users, organisations, settings with effective dates.

Every guard is tried: other roles and the anonymous are refused (and change nothing), bad
input is refused with a GOV.UK error, an administrator cannot lock itself out, and a change
of roles, active flag or password ends the person's sessions (a copied cookie stops working).
No app context stays pushed: each request gets its own, as in production.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import clock
from accounts.models import Organisation, SettingValue, User, get_setting
from audit.models import AuditRecord
from extensions import db
from tests.conftest import PASSWORD, _empty_tables, _password_hash

ADMIN = "admin@example.org"
OFFICER = "officer@example.org"
NEW_PASSWORD = "plum tractor seaside lantern"
OTHERS = {"officer": OFFICER, "approver": "ceo@example.org", "supplier": "bids@supplier.example.org",
          "finance": "finance@example.org"}


@pytest.fixture()
def site(_app):
    with _app.app_context():
        buyer = Organisation(name="Test Commissioner's Office", kind="buyer", decision_prefix="TST")
        supplier = Organisation(name="Test Supplier Ltd", kind="supplier")
        db.session.add_all([buyer, supplier])
        for email, roles, org in ((ADMIN, "admin", buyer), (OFFICER, "officer", buyer),
                                  (OTHERS["approver"], "chief_executive", buyer),
                                  (OTHERS["finance"], "finance", buyer),
                                  (OTHERS["supplier"], "supplier", supplier)):
            db.session.add(User(email=email, name=roles.title(), roles=roles, organisation=org,
                                password_hash=_password_hash()))
        db.session.commit()
        db.session.remove()
    yield _app
    with _app.app_context():
        _empty_tables()
        db.session.remove()


def q(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def user(app, email):
    return q(app, lambda: db.session.scalar(select(User).where(User.email == email)))


def org_id(app, name="Test Commissioner's Office"):
    return q(app, lambda: db.session.scalar(select(Organisation.id).where(
        Organisation.name == name)))


def token_of(client, path: str) -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(app, email=ADMIN, password=PASSWORD):
    client = app.test_client()
    resp = client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token_of(client, "/login")})
    assert resp.status_code == 302, f"sign-in as {email} failed"
    return client


def post(client, path, data=None, token_from="/account/password"):
    return client.post(path, data={**(data or {}), "csrf_token": token_of(client, token_from)})


def audits(app, entity=None):
    def rows():
        query = select(AuditRecord).order_by(AuditRecord.seq)
        if entity:
            query = query.where(AuditRecord.entity == entity)
        return [(r.actor, r.entity_id, r.action, r.before, r.after) for r in db.session.scalars(query)]
    return q(app, rows)


def new_user(app, **over):
    data = {"email": "new.person@example.org", "name": "New Person",
            "organisation_id": str(org_id(app)), "roles": ["evaluator"],
            "password": NEW_PASSWORD}
    data.update(over)
    return data


def error_page(resp, message):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, resp.status_code
    assert "There is a problem" in html and "<title>Error:" in html, html[:2000]
    assert message in html, f"{message!r} not on the page"
    return html


# -- every page, for the administrator -----------------------------------------------------

def test_every_admin_page_opens_for_the_administrator(site):
    c = sign_in(site)
    officer = user(site, OFFICER)
    for path in ("/admin/users", "/admin/users/new", f"/admin/users/{officer.id}",
                 f"/admin/users/{officer.id}/password", "/admin/organisations",
                 "/admin/organisations/new", f"/admin/organisations/{org_id(site)}",
                 "/admin/settings", "/admin/settings/ocds_prefix"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        assert 'name="csrf_token"' in resp.get_data(as_text=True) or path in (
            "/admin/users", "/admin/organisations", "/admin/settings")
    html = c.get("/admin/settings").get_data(as_text=True)
    for label in ("Decision-number prefix", "OCDS prefix", "Delphi risk bands",
                  "Largest upload", "Thresholds and minimum periods", "a new release"):
        assert label in html


ADMIN_PATHS = ["/admin/users", "/admin/users/new", "/admin/users/{uid}",
               "/admin/users/{uid}/password", "/admin/organisations",
               "/admin/organisations/new", "/admin/organisations/{oid}", "/admin/settings",
               "/admin/settings/marking"]


@pytest.mark.parametrize("person", [*OTHERS, "anonymous"])
def test_nobody_else_may_open_or_post_to_them(site, person):
    c = site.test_client() if person == "anonymous" else sign_in(site, OTHERS[person])
    uid, oid = user(site, OFFICER).id, org_id(site)
    before = audits(site)
    for path in [p.format(uid=uid, oid=oid) for p in ADMIN_PATHS] + [f"/admin/users/{uid}/active"]:
        for method in ("GET", "POST"):
            if method == "GET" and path.endswith("/active"):
                continue
            if method == "POST" and path in ("/admin/users", "/admin/organisations",
                                             "/admin/settings"):
                continue  # pages only
            data = {"csrf_token": token_of(c, "/login")} if method == "POST" else None
            if method == "POST":  # a whole valid form: only the policy stands in the way
                data.update(new_user(site, roles=["admin"], value="SECRET", kind="buyer",
                                     name="Taken Over", confirm=NEW_PASSWORD,
                                     from_day=str(clock.today().day),
                                     from_month=str(clock.today().month),
                                     from_year=str(clock.today().year)))
            resp = c.open(path, method=method, data=data)
            if person == "anonymous":
                assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
            else:
                assert resp.status_code == 403, (method, path, resp.status_code)
    assert audits(site) == before
    assert user(site, OFFICER).roles == "officer" and user(site, OFFICER).active
    assert user(site, "new.person@example.org") is None
    assert q(site, lambda: db.session.scalar(select(func.count(SettingValue.id)))) == 0


# -- users ---------------------------------------------------------------------------------

def test_adding_a_user_who_can_then_sign_in(site):
    c = sign_in(site)
    resp = post(c, "/admin/users/new", new_user(site, email="New.Person@Example.org",
                                                roles=["evaluator", "finance"]))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/admin/users")
    made = user(site, "new.person@example.org")
    assert made.name == "New Person" and made.role_set == {"evaluator", "finance"}
    assert made.active and made.organisation_id == org_id(site)
    assert ("user", "new.person@example.org", "create") in [
        (e, i, a) for _actor, i, a, _b, _af in audits(site, "user") for e in ("user",)]
    record = [r for r in audits(site, "user") if r[2] == "create"][0]
    assert record[0] == ADMIN and "password" not in str(record[4]).lower()
    sign_in(site, "new.person@example.org", NEW_PASSWORD)


@pytest.mark.parametrize("over,message", [
    ({"email": "OFFICER@example.org"}, "A user with this email address already exists"),
    ({"email": "not-an-email"}, "Enter an email address in the correct format"),
    ({"email": ""}, "Enter the email address"),
    ({"name": ""}, "Enter the person&#39;s name"),
    ({"password": "short"}, "Password must be 12 characters or more"),
    ({"password": "password1234"}, "Password is too easy to guess"),
    ({"password": "new.person@example.org"}, "Password must not be your email address or name"),
    ({"roles": ["officer", "overlord"]}, "overlord is not a role"),
    ({"organisation_id": "999999"}, "Select the person&#39;s organisation"),
    ({"organisation_id": ""}, "Select the person&#39;s organisation"),
])
def test_a_bad_new_user_is_refused_with_the_reason(site, over, message):
    c = sign_in(site)
    before = audits(site)
    error_page(post(c, "/admin/users/new", new_user(site, **over)), message)
    assert audits(site) == before
    assert q(site, lambda: db.session.scalar(select(func.count(User.id)))) == 5


def test_a_new_user_form_without_csrf_is_refused(site):
    c = sign_in(site)
    resp = c.post("/admin/users/new", data=new_user(site))
    assert resp.status_code in (200, 400)
    assert user(site, "new.person@example.org") is None


def test_changing_roles_ends_their_sessions(site):
    officer_browser = sign_in(site, OFFICER)
    assert officer_browser.get("/procurements").status_code == 200
    c = sign_in(site)
    uid = user(site, OFFICER).id
    resp = post(c, f"/admin/users/{uid}", {"name": "Officer", "roles": ["officer", "evaluator"],
                                           "organisation_id": str(org_id(site))})
    assert resp.status_code == 303
    assert user(site, OFFICER).role_set == {"officer", "evaluator"}
    gone = officer_browser.get("/procurements")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    change = [r for r in audits(site, "user") if r[2] == "change"][-1]
    assert change[3]["roles"] == "officer" and change[4]["roles"] == "officer,evaluator"


def test_deactivating_ends_their_sessions_and_refuses_sign_in_reactivating_lets_them_in(site):
    officer_browser = sign_in(site, OFFICER)
    c = sign_in(site)
    uid = user(site, OFFICER).id
    resp = post(c, f"/admin/users/{uid}/active", token_from=f"/admin/users/{uid}")
    assert resp.status_code == 303 and not user(site, OFFICER).active
    assert officer_browser.get("/procurements").status_code == 302
    again = site.test_client()
    again.post("/login", data={"email": OFFICER, "password": PASSWORD,
                               "csrf_token": token_of(again, "/login")})
    assert again.get("/procurements").status_code == 302
    assert post(c, f"/admin/users/{uid}/active", token_from=f"/admin/users/{uid}").status_code == 303
    assert user(site, OFFICER).active
    sign_in(site, OFFICER)
    assert [r[2] for r in audits(site, "user") if r[1] == OFFICER
            and r[2].endswith("activate")] == ["deactivate", "reactivate"]


def test_the_administrator_cannot_deactivate_itself(site):
    c = sign_in(site)
    uid = user(site, ADMIN).id
    resp = post(c, f"/admin/users/{uid}/active", token_from=f"/admin/users/{uid}")
    assert resp.status_code == 303
    assert "You cannot deactivate your own account" in c.get(
        resp.headers["Location"]).get_data(as_text=True)
    assert user(site, ADMIN).active
    assert c.get("/admin/users").status_code == 200  # still signed in


def test_the_administrator_cannot_remove_its_own_admin_role(site):
    c = sign_in(site)
    uid = user(site, ADMIN).id
    resp = post(c, f"/admin/users/{uid}", {"name": "Admin", "roles": ["officer"],
                                           "organisation_id": str(org_id(site))})
    error_page(resp, "You cannot remove your own administrator role")
    assert user(site, ADMIN).roles == "admin"
    # adding a role to itself is fine: its other sessions end, this browser goes on
    other_browser = sign_in(site)
    resp = post(c, f"/admin/users/{uid}", {"name": "Admin", "roles": ["admin", "officer"],
                                           "organisation_id": str(org_id(site))})
    assert resp.status_code == 303 and user(site, ADMIN).role_set == {"admin", "officer"}
    assert c.get("/admin/users").status_code == 200
    assert other_browser.get("/admin/users").status_code == 302


def test_an_unknown_role_or_user_is_refused(site):
    c = sign_in(site)
    uid = user(site, OFFICER).id
    error_page(post(c, f"/admin/users/{uid}", {"name": "Officer", "roles": ["root"],
                                               "organisation_id": str(org_id(site))}),
               "root is not a role")
    assert user(site, OFFICER).roles == "officer"
    assert c.get("/admin/users/999999").status_code == 404
    assert c.get("/admin/users/999999/password").status_code == 404


def test_resetting_a_password_ends_their_sessions(site):
    officer_browser = sign_in(site, OFFICER)
    c = sign_in(site)
    uid = user(site, OFFICER).id
    resp = post(c, f"/admin/users/{uid}/password", {"password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert resp.status_code == 303
    assert officer_browser.get("/procurements").status_code == 302
    sign_in(site, OFFICER, NEW_PASSWORD)
    record = [r for r in audits(site, "user") if r[2] == "reset password"][0]
    assert record[0] == ADMIN and NEW_PASSWORD not in str(record)


@pytest.mark.parametrize("password,confirm,message", [
    ("short", "short", "Password must be 12 characters or more"),
    ("qwertyqwerty", "qwertyqwerty", "Password is too easy to guess"),
    (OFFICER, OFFICER, "Password must not be your email address or name"),
    (NEW_PASSWORD, "something else entirely", "The passwords do not match"),
])
def test_a_bad_reset_password_is_refused(site, password, confirm, message):
    c = sign_in(site)
    officer_browser = sign_in(site, OFFICER)
    uid = user(site, OFFICER).id
    error_page(post(c, f"/admin/users/{uid}/password", {"password": password,
                                                        "confirm": confirm}), message)
    assert officer_browser.get("/procurements").status_code == 200  # nothing changed
    sign_in(site, OFFICER, PASSWORD)


# -- organisations -------------------------------------------------------------------------

def org(app, name):
    return q(app, lambda: db.session.scalar(select(Organisation).where(Organisation.name == name)))


def test_adding_and_changing_an_organisation(site):
    c = sign_in(site)
    resp = post(c, "/admin/organisations/new", {
        "name": "Elsewhere Fire Authority", "kind": "buyer", "decision_prefix": "EFA2",
        "signoff_order": "originating_officer, s151_officer,chief_executive"})
    assert resp.status_code == 303
    made = org(site, "Elsewhere Fire Authority")
    assert made.decision_prefix == "EFA2"
    assert made.approver_roles() == ["originating_officer", "s151_officer", "chief_executive"]
    resp = post(c, f"/admin/organisations/{made.id}", {
        "name": "Elsewhere Fire and Rescue Authority", "kind": "buyer", "decision_prefix": "",
        "signoff_order": ""})
    assert resp.status_code == 303
    changed = org(site, "Elsewhere Fire and Rescue Authority")
    assert changed.decision_prefix is None and changed.signoff_order is None
    actions = [(r[2], r[4]["name"]) for r in audits(site, "organisation")]
    assert actions == [("create", "Elsewhere Fire Authority"),
                       ("change", "Elsewhere Fire and Rescue Authority")]
    assert "Elsewhere Fire and Rescue Authority" in c.get("/admin/organisations").get_data(as_text=True)


@pytest.mark.parametrize("over,message", [
    ({"name": "test supplier ltd"}, "An organisation with this name already exists"),
    ({"name": ""}, "Enter the organisation&#39;s name"),
    ({"kind": "overlord"}, "Select the kind of organisation"),
    ({"decision_prefix": "sc"}, "2 to 10 capital letters or digits"),
    ({"decision_prefix": "S"}, "2 to 10 capital letters or digits"),
    ({"decision_prefix": "ABCDEFGHIJK"}, "2 to 10 capital letters or digits"),
    ({"decision_prefix": "SC/P"}, "2 to 10 capital letters or digits"),
    ({"kind": "supplier", "decision_prefix": "SUP"}, "Only a buyer has a decision-number prefix"),
    ({"signoff_order": "chief_executive,officer"}, "officer is not an approver role"),
    ({"signoff_order": "chief_executive,chief_executive"}, "chief_executive appears more than once"),
    ({"signoff_order": "chief_executive,,commissioner"}, "with none left empty"),
])
def test_a_bad_organisation_is_refused_with_the_reason(site, over, message):
    c = sign_in(site)
    before = audits(site)
    data = {"name": "New Buyer", "kind": "buyer", "decision_prefix": "NB",
            "signoff_order": "chief_executive"}
    data.update(over)
    error_page(post(c, "/admin/organisations/new", data), message)
    assert audits(site) == before
    assert org(site, "New Buyer") is None
    # and the same on changing an existing one
    oid = org_id(site)
    error_page(post(c, f"/admin/organisations/{oid}", {**data, "name": data["name"]
                     if over.get("name") != "test supplier ltd" else "Test Supplier Ltd"}),
               message)
    assert org(site, "Test Commissioner's Office").decision_prefix == "TST"


def test_an_unknown_organisation_is_404(site):
    assert sign_in(site).get("/admin/organisations/999999").status_code == 404


# -- settings with effective dates ---------------------------------------------------------

def setting_form(value, on: date):
    return {"value": value, "from_day": str(on.day), "from_month": str(on.month),
            "from_year": str(on.year)}


def test_a_setting_from_today_is_in_force_at_once(site):
    c = sign_in(site)
    today = clock.today()
    resp = post(c, "/admin/settings/ocds_prefix", setting_form("ocds-abc123", today))
    assert resp.status_code == 303
    assert q(site, lambda: get_setting("ocds_prefix")) == "ocds-abc123"
    html = c.get("/admin/settings").get_data(as_text=True)
    assert "ocds-abc123" in html and ADMIN in html
    record = [r for r in audits(site, "setting")][0]
    assert record[:3] == (ADMIN, "ocds_prefix", "set")
    assert record[4] == {"value": "ocds-abc123", "effective_from": today.isoformat()}


def test_a_future_value_takes_effect_on_its_date(site, monkeypatch):
    c = sign_in(site)
    today = clock.today()
    later = today + timedelta(days=10)
    assert post(c, "/admin/settings/spread_flag", setting_form("3.5", later)).status_code == 303
    assert q(site, lambda: get_setting("spread_flag")) == "2"  # the default still applies
    assert "From " in c.get("/admin/settings").get_data(as_text=True)
    monkeypatch.setattr(clock, "today", lambda: later - timedelta(days=1))
    assert q(site, lambda: get_setting("spread_flag")) == "2"
    monkeypatch.setattr(clock, "today", lambda: later)
    assert q(site, lambda: get_setting("spread_flag")) == "3.5"
    monkeypatch.setattr(clock, "today", lambda: later + timedelta(days=400))
    assert q(site, lambda: get_setting("spread_flag")) == "3.5"


def test_the_session_idle_setting_reaches_the_sessions(site):
    c = sign_in(site)
    assert post(c, "/admin/settings/session_idle_minutes",
                setting_form("45", clock.today())).status_code == 303
    from accounts.sessions import timeouts
    assert q(site, lambda: timeouts().idle) == timedelta(minutes=45)


@pytest.mark.parametrize("key,value,message", [
    ("ocds_prefix", "abc123", "it must start with ocds-"),
    ("ocds_prefix", "ocds-", "it must start with ocds-"),
    ("ocds_prefix", "ocds-ab c", "it must start with ocds-"),
    ("decision_prefix", "scp", "2 to 10 capital letters or digits"),
    ("spread_flag", "-1", "from 0 to 100"),
    ("spread_flag", "NaN", "from 0 to 100"),
    ("spread_flag", "101", "from 0 to 100"),
    ("justification_min_length", "twenty", "whole number from 0 to 2000"),
    ("justification_min_length", "2001", "whole number from 0 to 2000"),
    ("upload_size_limit_mb", "0", "whole number from 1 to 100"),
    ("session_idle_minutes", "1", "whole number from 5 to 480"),
    ("marking", "official<script>", "in capital letters"),
    ("delphi_risk_bands", "0-20 very high, 22-40 high, 41-100 low", "should start at 21, not 22"),
    ("delphi_risk_bands", "0-20 very high, 21-90 high", "must end at 100"),
    ("delphi_risk_bands", "0-50 high, 51-100 high", "a different name"),
    ("delphi_risk_bands", "low 0-100", "lowest-highest then its name"),
    ("marking", "", "Enter the new value"),
    ("feedback_url", "javascript:alert(1)", "Enter where feedback goes"),
    ("feedback_url", "http://feedback.example.org", "Enter where feedback goes"),
    ("feedback_url", "mailto:nobody", "Enter where feedback goes"),
])
def test_a_bad_setting_value_is_refused(site, key, value, message):
    c = sign_in(site)
    error_page(post(c, f"/admin/settings/{key}", setting_form(value, clock.today())), message)
    assert q(site, lambda: db.session.scalar(select(func.count(SettingValue.id)))) == 0
    assert audits(site, "setting") == []


@pytest.mark.parametrize("parts,message", [
    (("", "", ""), "Enter the date the new value takes effect"),
    (("1", "", "2030"), "must include a month"),
    (("31", "2", "2030"), "must be a real date"),
    (("1", "1", "30"), "The year must be four digits"),
    (None, "must be today or in the future"),
])
def test_a_bad_effective_date_is_refused(site, parts, message):
    c = sign_in(site)
    yesterday = clock.today() - timedelta(days=1)
    data = setting_form("OFFICIAL-SENSITIVE", yesterday)
    if parts is not None:
        data.update(dict(zip(("from_day", "from_month", "from_year"), parts)))
    error_page(post(c, "/admin/settings/marking", data), message)
    assert q(site, lambda: get_setting("marking")) == "OFFICIAL"


def test_an_unknown_setting_is_404(site):
    c = sign_in(site)
    assert c.get("/admin/settings/secret_key").status_code == 404
    assert post(c, "/admin/settings/secret_key", setting_form("x", clock.today())).status_code == 404


def test_the_admin_pages_show_no_bids_or_scores(site):
    """The administrator's navigation offers users, organisations and settings, never
    procurements' bids or scores (the role x route matrix checks every other page)."""
    c = sign_in(site)
    html = c.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/settings"' in html and 'href="/admin/organisations"' in html
    assert c.get("/procurements").status_code == 403


def test_a_request_reads_the_settings_once_and_sees_its_own_writes(app, users):
    """Settings are read once per request (two queries of a small table), not once per
    question (the session's timeouts, the phase banner, the scoring step, ...); a setting
    the request writes is read anew."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context("/"):
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            for key in ("score_step", "feedback_url", "document_max_mb", "score_step"):
                get_setting(key)
            assert len([s for s in statements if "FROM setting_value" in s]) == 1
            db.session.add(SettingValue(key="score_step", value="0.25",
                                        effective_from=clock.today(), changed_by="test"))
            db.session.commit()
            assert get_setting("score_step") == "0.25"
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert len([s for s in statements if "FROM setting_value" in s]) == 2
    with app.test_request_context("/"):  # another request reads for itself
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert get_setting("score_step") == "0.25"
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert len([s for s in statements if "FROM setting_value" in s]) == 1
