"""The demo loads the reference tender with one user per role, idempotently."""
from sqlalchemy import func, select

from accounts.models import User
from audit.models import AuditRecord
from procurement.models import PanelMember
from evaluation.results.inputs import procurement_results
from procurement.access import find_procurement
from extensions import db


def test_demo_load_is_idempotent_and_replays_the_published_figures(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    users = db.session.scalar(select(func.count(User.id)))
    records = db.session.scalar(select(func.count(AuditRecord.id)))
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalar(select(func.count(AuditRecord.id))) == records

    p = find_procurement("SCO-DA-2023")
    totals = {(lot.code, b.bidder): round(b.total, 2)
              for lot in procurement_results(p) for b in lot.bids}
    assert totals == {("A", "Victim Support"): 97.0, ("B", "Victim Support"): 95.5,
                      ("B", "Northfield Change Partnership CIC"): 64.0}
    roles = set().union(*(u.role_set for u in db.session.scalars(select(User))))
    assert {"admin", "officer", "evaluator", "finance", "supplier", "chief_executive",
            "monitoring_officer", "s151_officer", "commissioner"} <= roles
    linked = db.session.scalars(select(PanelMember).where(PanelMember.user_id.is_not(None))).all()
    assert len(linked) == 6  # three evaluators on each of the two lots
    assert all(lot.results_final_at for lot in p.lots)  # a finished evaluation
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_logins_lists_every_user(app):
    out = app.test_cli_runner().invoke(args=["demo", "logins"]).output
    assert "officer@demo.example.org" in out and "tender-demo-2023" in out


def test_demo_logins_with_the_address_is_one_block_headed_by_it(app):
    out = app.test_cli_runner().invoke(args=["demo", "logins", "--url",
                                             "http://127.0.0.1:5000/"]).output
    lines = out.strip().splitlines()
    assert "Tender is running at http://127.0.0.1:5000/" in lines[1]
    assert any("commissioner@demo.example.org" in line for line in lines)


def test_make_run_serves_with_gunicorn_and_installs_quietly():
    """The Makefile's run: no development-server warning, no setuptools editable notice."""
    from pathlib import Path
    make = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = make.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn" in run and "$(FLASK) run" not in run
    assert "demo logins --url" in run
    assert 'PYTHONWARNINGS="ignore:Editable installation"' in make and "--quiet" in make


def test_the_demo_note_says_how_bids_were_assessed_as_the_reference(app):
    """Issue 16, point 9: the demo's section descriptions, set once by `demo load`."""
    from decisions.note.builder import build_note_data
    from evaluation.models import SectionDescription

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count(SectionDescription.id))) == 2
    data = build_note_data(find_procurement("SCO-DA-2023"))
    assert data.assessment == ("Assessment of bids was undertaken through a written Quality "
                               "submission, a Value for Money submission and an Interview process.")
