"""`tender standstill` through the CLI, as integrations.md says."""
from datetime import datetime

import pytest

from accounts.models import Organisation
from extensions import db
from procurement.models import Procurement, TimelineDate


@pytest.fixture()
def make_procurement(app):
    def make(regime, award_notice=None, letters=None, reference="SS-1"):
        org = Organisation(name=f"Buyer {reference}")
        p = Procurement(reference=reference, title="Standstill test", organisation=org,
                        regime=regime, initial_term_years=3)
        for kind, day in (("award_notice", award_notice), ("decision_letters", letters)):
            if day:
                p.dates.append(TimelineDate(kind=kind, at=datetime.fromisoformat(day)))
        db.session.add(p)
        db.session.commit()
        return p
    return make


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tender", "standstill", *args])


@pytest.mark.parametrize("regime,sent,last_day", [
    # PCR 2015: 10 calendar days after; 2023-12-15 + 10 = Mon 25 Dec → Wed 27 Dec (Boxing Day too)
    ("PCR2015-LTR", "2023-12-15", "2023-12-27"),
    ("PCR2015-OPEN", "2023-09-04", "2023-09-14"),
    # PA 2023: 8 working days beginning with the day: Thu 2024-03-21 → skips Good Friday/Easter Monday
    ("PA2023-OPEN", "2024-03-21", "2024-04-03"),
    # August bank holiday 2024-08-26: from Fri 23 Aug, 8 working days → Wed 4 Sep
    ("PA2023-CFP", "2024-08-23", "2024-09-04"),
])
def test_standstill_with_from(app, make_procurement, regime, sent, last_day):
    make_procurement(regime)
    result = run(app, "SS-1", "--from", sent)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == last_day


def test_standstill_uses_award_notice_date_then_letters(app, make_procurement):
    make_procurement("PCR2015-LTR", award_notice="2023-09-04")
    assert run(app, "SS-1").output.strip() == "2023-09-14"
    make_procurement("PCR2015-LTR", letters="2023-12-15", reference="SS-2")
    assert run(app, "SS-2").output.strip() == "2023-12-27"


def test_standstill_without_any_date_is_an_error(app, make_procurement):
    make_procurement("PCR2015-LTR")
    result = run(app, "SS-1")
    assert result.exit_code == 1
    assert "--from" in result.output


def test_standstill_bad_date_and_unknown_reference(app, make_procurement):
    make_procurement("PA2023-OPEN")
    bad = run(app, "SS-1", "--from", "2024-02-30")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    missing = run(app, "NOPE", "--from", "2024-02-01")
    assert missing.exit_code == 1 and "No procurement with reference NOPE" in missing.output
