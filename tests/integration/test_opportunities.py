"""The public pages, without sign-in: /opportunities (open ones; planned, closed and awarded
as filters; search by words, CPV code and buyer; pages) and an opportunity's page (its
notices, lots, key dates with the time left, documents, published answers, its OCDS)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

import clock
from accounts.models import Organisation
from extensions import db
from publication import routes as publication_routes
from tests.integration.notice_fixtures import open_tender, publish
from tests.integration.signing_fixtures import SessionClient


@pytest.fixture()
def public(app):
    return SessionClient(app, app.response_class, use_cookies=True)


def listed(public, query: str = "") -> list[str]:
    html = public.get(f"/opportunities{query}").get_data(as_text=True)
    return re.findall(r'href="/opportunities/([^"/]+)"', html)


@pytest.fixture()
def several(app, users):
    """Open (two buyers), closed, awarded-looking, planned and unpublished procurements."""
    buyer = users["officer"].organisation
    other = Organisation(name="Elsewhere Fire Authority", kind="buyer")
    db.session.add(other)
    db.session.commit()
    made = {}
    made["open"] = open_tender(buyer, "OPP-OPEN", title="Refuge support services")
    made["other"] = open_tender(other, "OPP-FIRE", title="Fire safety training",
                                cpv="80550000-4")
    made["closed"] = open_tender(buyer, "OPP-CLOSED", title="Helpline services")
    made["planned"] = open_tender(buyer, "OPP-PLANNED", title="Perpetrator programme")
    made["hidden"] = open_tender(buyer, "OPP-HIDDEN", title="Refuge secret draft")
    for key in ("open", "other", "closed"):
        publish(app, made[key].reference, "contract-notice")
    publish(app, made["planned"].reference, "PIN")
    made["closed"].date_of("tender_deadline").at = datetime(2020, 1, 1, 12, 0)
    db.session.commit()
    return made


def test_open_opportunities_are_listed_without_sign_in(public, several):
    refs = listed(public)
    assert set(refs) == {"OPP-OPEN", "OPP-FIRE"}
    html = public.get("/opportunities").get_data(as_text=True)
    assert "Refuge support services" in html and "Elsewhere Fire Authority" in html
    assert "left)" in html  # the time left to the deadline


def test_filters_reach_closed_awarded_and_planned_but_never_the_unpublished(public, several):
    assert listed(public, "?status=closed") == ["OPP-CLOSED"]
    assert listed(public, "?status=planned") == ["OPP-PLANNED"]
    assert listed(public, "?status=awarded") == []
    assert set(listed(public, "?status=all")) == {"OPP-OPEN", "OPP-FIRE", "OPP-CLOSED",
                                                  "OPP-PLANNED"}
    assert "OPP-HIDDEN" not in public.get("/opportunities?status=all&q=secret").get_data(
        as_text=True)
    assert listed(public, "?status=nonsense") == listed(public)


def test_search_by_words_cpv_and_buyer(public, several):
    assert listed(public, "?q=refuge+services") == ["OPP-OPEN"]  # every word, anywhere
    assert listed(public, "?q=SAFETY") == ["OPP-FIRE"]
    assert listed(public, "?q=opp-fire") == ["OPP-FIRE"]
    assert listed(public, "?cpv=8055") == ["OPP-FIRE"]
    assert set(listed(public, "?cpv=85312000-9")) == {"OPP-OPEN"}
    assert listed(public, "?buyer=elsewhere") == ["OPP-FIRE"]
    assert listed(public, "?q=%25") == []  # a wildcard is only a character
    assert listed(public, "?q=" + "x" * 300) == []  # too long: nothing, no error


def test_pages_of_results(public, app, users, monkeypatch):
    buyer = users["officer"].organisation
    for i in range(5):
        open_tender(buyer, f"OPP-PAGE-{i}")
        publish(app, f"OPP-PAGE-{i}", "contract-notice")
    monkeypatch.setattr(publication_routes, "PER_PAGE", 2)
    first, second, last = listed(public), listed(public, "?page=2"), listed(public, "?page=3")
    assert len(first) == len(second) == 2 and len(last) == 1
    assert set(first) | set(second) | set(last) == {f"OPP-PAGE-{i}" for i in range(5)}
    html = public.get("/opportunities").get_data(as_text=True)
    assert "govuk-pagination" in html and "page=2" in html
    assert listed(public, "?page=99") == last and listed(public, "?page=abc") == first


def test_an_opportunity_page_shows_notices_lots_dates_and_the_ocds_link(public, app, users,
                                                                        monkeypatch):
    p = open_tender(users["officer"].organisation, "OPP-PAGE")
    publish(app, p.reference, "contract-notice")
    deadline = p.date_of("tender_deadline").at
    from procurement.states import tender_deadline_utc  # the deadline is UK time, now UTC
    monkeypatch.setattr(clock, "utcnow", lambda: tender_deadline_utc(p) - timedelta(days=12,
                                                                                    hours=3))
    html = public.get(f"/opportunities/{p.reference}").get_data(as_text=True)
    assert "Contract notice" in html and "Lot A outreach" in html and "£250,000" in html
    assert "12 days, 3 hours left" in html
    assert f'href="/opportunities/{p.reference}/ocds.json"' in html
    assert "Clarification questions close" in html
    assert f"{deadline.day} {deadline:%B %Y}, 12:00" in html


def test_an_unknown_or_unpublished_reference_is_404(public, several):
    assert public.get("/opportunities/NOPE").status_code == 404
    assert public.get("/opportunities/OPP-HIDDEN").status_code == 404
    assert public.get("/opportunities/OPP-HIDDEN/ocds.json").status_code == 404


def test_the_opportunity_page_and_its_notice_show_the_same_lots_table(app, users, public):
    p = open_tender(users["officer"].organisation, "OPP-LOTS")
    notice_id = publish(app, p.reference, "contract-notice")
    page = public.get("/opportunities/OPP-LOTS").get_data(as_text=True)
    notice = public.get(f"/opportunities/OPP-LOTS/notices/{notice_id}").get_data(as_text=True)

    def lots(html):
        return re.search(r'<table class="govuk-table">\s*<caption[^>]*>Lots and their.*?</table>',
                         html, re.S).group(0)
    assert lots(page) == lots(notice)
    assert "Lot A outreach" in lots(page) and "£250,000" in lots(page)
    assert notice.count("Award criteria, lot") == 2 and "Service delivery" in notice
    assert "Award criteria" not in page  # the criteria are the notice's
