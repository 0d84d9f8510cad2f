"""A bidder excluded at selection or on its Delphi score: shown as excluded with the reason
on the scoring pages, and not counted as outstanding work."""
from __future__ import annotations

from extensions import db
from tests.integration.test_evaluation_fixtures import (client_for, declare_none,  # noqa: F401
                                                        tender)


def test_an_excluded_bidder_is_shown_as_excluded_and_not_outstanding(app, tender, users):  # noqa: F811
    t = tender
    beta = t.bids["A:Beta Support"]
    beta.selection, beta.selection_reason = "fail", "No insurance certificate"
    db.session.commit()
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    html = c.get(t.url("A", "/scoring")).get_data(as_text=True)
    row = html.split(f'id="bid-{beta.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Excluded" in row and "No insurance certificate" in row and "Not started" not in row
    assert f'id="score-bid-{beta.id}"' not in row
    officer = client_for(app, users["officer"])
    overview = officer.get(f"/evaluation/{t.procurement.reference}").get_data(as_text=True)
    assert 'id="progress-A">0 of 6<' in overview  # 3 evaluators × 1 bid × 2 criteria


def test_a_delphi_score_below_the_minimum_excludes_with_its_reason(app, tender, users):  # noqa: F811
    t = tender
    t.procurement.min_delphi = 50
    t.bids["A:Alpha Care"].delphi_score = 30
    db.session.commit()
    c = client_for(app, t.evaluators[0])
    assert declare_none(c, t).status_code == 303
    html = c.get(t.url("A", "/scoring")).get_data(as_text=True)
    assert "Delphi score 30 is below the minimum of 50" in html
