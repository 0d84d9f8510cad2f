"""Every role sees only what it must: an evaluator its assigned lots, a supplier its letters."""
import pytest

from demo.people import DEMO_PASSWORD
from extensions import db
from procurement.models import PanelMember
from tests.conftest import login


@pytest.fixture()
def demo(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0


def sign_in(client, email):
    return login(client, email, DEMO_PASSWORD)


@pytest.mark.parametrize("email,landing", [
    ("officer@demo.example.org", "/procurements"),
    ("evaluator.a@demo.example.org", "/evaluation/mine"),
    ("supplier@demo.example.org", "/supplier"),
    ("ceo@demo.example.org", "/procurements"),
])
def test_each_role_lands_on_its_own_start_page(client, demo, email, landing):
    resp = sign_in(client, email)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(landing)
    assert client.get(landing).status_code == 200


def test_evaluator_is_sent_from_the_procurement_list_to_its_lots(client, demo):
    sign_in(client, "evaluator.a@demo.example.org")
    resp = client.get("/procurements")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/evaluation/mine")


def test_evaluator_sees_only_its_assigned_lots_and_no_partner_figures(client, demo):
    member = db.session.query(PanelMember).join(PanelMember.lot).filter(
        PanelMember.name == "Panel Member A").all()
    lot_b = next(m for m in member if m.lot.code == "B")
    db.session.delete(lot_b)  # evaluator A now sits on lot A only
    db.session.commit()
    sign_in(client, "evaluator.a@demo.example.org")
    html = client.get("/procurements/SCO-DA-2023").get_data(as_text=True)
    assert "DA Victim Services" in html and "DA Perpetrator Services" not in html
    assert "Commissioning partners" not in html and "£1,859,195.76" not in html
    assert "97.00" not in html  # results are not shown to evaluators here


def test_evaluator_not_on_any_panel_of_the_procurement_is_refused(client, demo):
    for m in db.session.query(PanelMember).filter(PanelMember.name == "Panel Member A"):
        db.session.delete(m)
    db.session.commit()
    sign_in(client, "evaluator.a@demo.example.org")
    assert client.get("/procurements/SCO-DA-2023").status_code == 403
