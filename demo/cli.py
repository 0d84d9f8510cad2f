"""`flask --app app demo load` and `demo logins`: the reference tender with fictional people."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy import select

from accounts.models import Organisation, User
from audit.services import plain, record
from decisions.models import Annex
from demo.note_sample import DPIA, EIA, NARRATIVE, SECTION_DESCRIPTIONS, demo_note_data
from evaluation.criteria.service import set_section_description
from decisions.note.service import get_or_create_note
from demo import bp, opportunity
from demo.people import BUYER, DEMO_PASSWORD, PARTNERS, SUPPLIERS, USERS
from procurement import states
from procurement.models import PanelMember
from procurement.access import find_procurement
from extensions import db
from procurement.models import EngagementEvent, TimelineDate

WORKBOOK = Path(__file__).parent / "data" / "staffordshire-da-2023.xlsx"
REFERENCE = "SCO-DA-2023"


@bp.cli.command("load")
def load():
    """Load the demo procurement and users; running it again changes nothing."""
    orgs = _organisations()
    users = _users(orgs)
    procurement = find_procurement(REFERENCE)
    if procurement is None:
        procurement = _import_tender()
        _enrich(procurement, users)
        click.echo(f"Loaded demo procurement {REFERENCE}")
    else:
        click.echo(f"Demo procurement {REFERENCE} already loaded")
    db.session.commit()
    opened = opportunity.load(orgs[BUYER])
    if opened is not None:
        db.session.commit()
        click.echo(f"Loaded demo opportunity {opened.reference} (open for bids)")


@bp.cli.command("logins")
@click.option("--url", default=None, help="Where the app is served (make run's address)")
def logins(url):
    """Print the demo logins (after where the app is served, with --url)."""
    if url:
        rule = "=" * 72
        click.echo(f"\n{rule}\nTender is running at {url}  (Ctrl+C stops it)\n{rule}")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, roles, org, _ in USERS:
        click.echo(f"  {email:<30} {name:<14} {roles}")
    click.echo("")


def _organisations() -> dict[str, Organisation]:
    kinds = {BUYER: "buyer", **{p: "partner" for p in PARTNERS},
             **{s: "supplier" for s in SUPPLIERS}}
    orgs = {}
    for name, kind in kinds.items():
        org = db.session.execute(select(Organisation).where(Organisation.name == name)
                                 ).scalar_one_or_none()
        if org is None:
            org = Organisation(name=name, kind=kind)
            db.session.add(org)
        if kind == "buyer" and not org.decision_prefix:
            org.decision_prefix = "SCP"
        orgs[name] = org
    db.session.flush()
    return orgs


def _users(orgs) -> dict[str, User]:
    users = {}
    for email, name, roles, org, _ in USERS:
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            user = User(email=email, name=name, roles=roles, organisation=orgs[org])
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            record("user", email, "create", None, {"name": name, "roles": roles}, actor="system")
        users[email] = user
    db.session.flush()
    return users


def _import_tender():
    from interchange.importer import import_tender
    from interchange.workbook_file import read_workbook

    parsed, errors = read_workbook(WORKBOOK)
    if errors:  # the shipped workbook is valid; say so loudly if it ever is not
        raise click.ClickException("; ".join(str(e) for e in errors))
    return import_tender(parsed, actor="system")


def _declare_before_scoring(procurement, lot, member) -> None:
    """The panel declared no conflict with each bidder before scoring, as the rule asks
    (the workbook carries the scores, not the declarations)."""
    from evaluation.models import ConflictDeclaration

    done = {d.bidder_id for d in member.declarations}
    for bid in lot.bids:
        if bid.bidder_id in done:
            continue
        declaration = ConflictDeclaration(member_id=member.id, bidder_id=bid.bidder_id,
                                          conflicted=False, declared_at=datetime(2023, 6, 1, 9, 0))
        db.session.add(declaration)
        db.session.flush()
        record("conflict_declaration", declaration.id, "declare", None,
               {"lot": lot.code, "member": member.name, "bidder_id": bid.bidder_id,
                "conflicted": False, "details": ""}, procurement_ref=procurement.reference)


def _enrich(procurement, users) -> None:
    """What the workbook does not carry: panel users, key dates, events, the note's text."""
    sample = demo_note_data()
    by_member = {m: email for email, _, _, _, m in USERS if m}
    suppliers = {o.name: o.id for o in db.session.execute(
        select(Organisation).where(Organisation.kind == "supplier")).scalars()}
    for bidder in procurement.bidders:
        bidder.organisation_id = suppliers.get(bidder.name)
    for lot in procurement.lots:
        for member in db.session.execute(select(PanelMember).where(
                PanelMember.lot_id == lot.id)).scalars():
            if member.name in by_member:
                member.user_id = users[by_member[member.name]].id
            _declare_before_scoring(procurement, lot, member)
    for kind, day in (("pin", date(2022, 7, 1)), ("award_notice", date(2023, 9, 4))):
        procurement.dates.append(TimelineDate(kind=kind, at=datetime.combine(day, datetime.min.time())))
    for e in sample.engagement_events:
        procurement.events.append(EngagementEvent(on_date=e.on, kind=e.kind,
                                                  attendees=e.attendees, notes=e.notes))
    procurement.description = "Pan-Staffordshire domestic abuse victim and perpetrator services."
    for section, text in SECTION_DESCRIPTIONS.items():  # the note's words for the model
        set_section_description(procurement, section, text)
    for lot in procurement.lots:  # the demo replays a finished, moderated evaluation
        lot.model_locked = True
        lot.results_final_at = datetime(2023, 8, 1, 12, 0)
        record("lot", f"{procurement.reference}/{lot.code}", "results_final", None,
               {"results_final_at": lot.results_final_at}, procurement_ref=procurement.reference)
    db.session.flush()
    db.session.refresh(procurement, ["state"])
    states.act(procurement, "finalise_results", actor="demo")
    note = get_or_create_note(procurement)
    note.narrative = {**NARRATIVE, "decision_maker": sample.decision_maker,
                      "strapline": sample.strapline}
    a = sample.answers
    note.answers = {"decision_policy": a.decision_making_policy, "key_decision": a.key_decision,
                    "legal_advice": a.legal_advice_sought, "public_access": a.public_access,
                    "personal_data": a.personal_data, "deferral": a.publication_deferred,
                    "deferral_until": a.deferral_until.isoformat() if a.deferral_until else None,
                    "redaction": a.redactions}
    note.sensitive_phrases = list(sample.sensitive_phrases)
    note.annexes.append(Annex(kind="EIA", form=plain(EIA)))
    note.annexes.append(Annex(kind="DPIA", form=plain(DPIA)))
    record("decision_note", procurement.reference, "demo_text", None,
           {"narrative_keys": sorted(note.narrative)}, procurement_ref=procurement.reference)
