"""The start page at /: what the service is and the ways in; the phase banner's feedback link
is a setting."""
from __future__ import annotations

import re

import clock
from accounts.models import SettingValue
from extensions import db
from tests.conftest import login


def test_a_visitor_sees_what_the_service_is_and_the_ways_in(client, users):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Run a public procurement" in html and "from the first" in html
    assert 'href="/opportunities"' in html
    assert 'href="/decisions"' in html or 'id="start-decisions"' in html
    assert 'href="/login"' in html
    has_register = "accounts.register" in client.application.view_functions
    assert ("Register your organisation" in html) is has_register


def test_the_decisions_link_is_the_public_index(client, users):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'id="start-decisions" href="([^"]+)"', html)[1]
    assert client.get(href).status_code == 200


def test_a_signed_in_person_still_goes_to_their_work(client, users):
    login(client, users["officer"].email)
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/procurements")


def test_every_page_has_a_beta_banner_with_the_feedback_link(client, users):
    html = client.get("/login").get_data(as_text=True)
    assert "govuk-phase-banner" in html and "Beta" in html
    assert 'href="mailto:tender-feedback@example.org"' in html


def test_the_feedback_link_follows_its_setting(client, users):
    db.session.add(SettingValue(key="feedback_url", value="https://forms.example.org/tender",
                                effective_from=clock.today(), changed_by="admin@example.org"))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert 'href="https://forms.example.org/tender"' in html
