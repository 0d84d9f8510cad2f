"""Procurements for the notice, opportunity, clarification and open-data tests.

`open_tender` is a procurement in set-up, ready for its tender notice: two lots with award
criteria weighing 100, a description, CPV codes, a clarification deadline in 20 days and a
tender deadline in 40 (UK time, at noon). `awarded_tender` is the decision-note tender
(tests/integration/test_decision_note_fixtures: lot A 97.00, lot B 95.50 and 64.00, the
loser's name marked commercially sensitive) with its note really signed off.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from sqlalchemy import select

import clock
from accounts.models import Organisation
from demo import opportunity
from extensions import db
from procurement.models import Procurement
from procurement.notices.models import Notice

UK_NOON = 12


def uk_days_ahead(days: int, hour: int = UK_NOON) -> datetime:
    """A UK wall-clock date-time `days` from today, in UTC as the records keep it."""
    from procurement.timeline import uk_to_utc
    return uk_to_utc(datetime.combine(clock.today() + timedelta(days=days),
                                      datetime.min.time()).replace(hour=hour))


LOTS = (("A", "Lot A outreach", "250000.00"), ("B", "Lot B outreach", "120000.00"))


def open_tender(buyer: Organisation, reference: str = "NT-OPEN-1", regime: str = "PCR2015-OPEN",
                deadline_days: int | None = 40, clarification_days: int | None = 20,
                title: str = "Community domestic abuse outreach services",
                cpv: str = "85312000-9, 85320000-8") -> Procurement:
    """The demo's opportunity (demo.opportunity.build) under this reference, these days ahead
    and the tests' own names and values, committed."""
    p = opportunity.build(
        buyer, reference,
        uk_days_ahead(deadline_days) if deadline_days is not None else None,
        uk_days_ahead(clarification_days) if clarification_days is not None else None,
        title=title, regime=regime, cpv=cpv, lots=LOTS,
        description="Outreach and refuge support across the county.\n\nTwo lots, let separately.")
    db.session.commit()
    return p


def notice_cli(app, *args):
    result = app.test_cli_runner().invoke(args=["notice", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


def draft(app, reference: str, kind: str, *extra) -> int:
    result = notice_cli(app, "draft", reference, kind, *extra)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def publish(app, reference: str, kind: str, *extra) -> int:
    notice_id = draft(app, reference, kind, *extra)
    result = notice_cli(app, "publish", reference, notice_id)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return notice_id


def listed(app, reference: str) -> list[dict]:
    result = notice_cli(app, "list", reference, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def notice(notice_id: int) -> Notice:
    db.session.expire_all()
    return db.session.get(Notice, notice_id)


def ocds_export(app, reference: str, path) -> dict:
    result = app.test_cli_runner().invoke(args=["ocds", "export", reference, str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


def csrf_of(client, path: str) -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, token_from: str = "/opportunities",
              **kw):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(client, token_from)},
                       **kw)


def awarded_tender(users, regime: str = "PCR2015-LTR", reference: str = "SCO-DA-2023"):
    """The decision-note tender, signed off (state "award_notice"), ready for its award notice."""
    from tests.integration.readonly_fixtures import sign_off_note
    from tests.integration.test_decision_note_fixtures import fill_note, make_tender

    p = make_tender(users["officer"].organisation, reference=reference, regime=regime,
                    supplier_org=users["supplier"].organisation)
    p.description = "Domestic abuse victim and perpetrator services."
    p.cpv_codes = "85312300-2"
    now = datetime(2023, 8, 1, 12, 0)
    for lot in p.lots:
        lot.results_final_at = now
    p.state = "results_final"  # what `tender finalise` does
    fill_note(p)
    db.session.commit()
    sign_off_note(p, users)
    db.session.expire_all()
    p = db.session.scalar(select(Procurement).where(Procurement.reference == reference))
    assert p.state == "award_notice", p.state
    return p
