"""The one access policy: every route's grants in one table, enforced before any view runs.

`ROUTES` reads like DOMAIN.md's "Who may do what": each endpoint names the grants of
`procurement.policy` that let someone use it (reading, and where it differs, changing). The
app checks the table before every request (`enforce`), so a view only runs for someone the
table lets in, with its procurement, lot and bid already loaded and in scope; views get them
from `procurement_for`, `lot_for` and `bid_for`. An endpoint missing from the table is refused
(and a test fails on it). Checks of state and turn (sealed bids, sign-off order, a completed
note) are rules of their own packages, applied by the services.
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from extensions import db, login_manager
from procurement.models import Bid, Bidder, Lot, PanelMember, Procurement
from procurement.states import follow_the_clock
from procurement.policy import (ADMIN, APPROVER, EVALUATOR, FINANCE, OFFICER, PANEL, PUBLIC,
                                SIGNED_IN, SQ_MARKER, SUPPLIER, Actor, Decision, Rule, Target,
                                allow, decide, reads)

ROUTES: dict[str, Rule] = {
    # -- anyone, no sign-in --------------------------------------------------------------
    "static": allow(PUBLIC),
    "govuk_assets": allow(PUBLIC),
    "accounts.login": allow(PUBLIC),
    "accounts.register": allow(PUBLIC),  # a supplier registers (inactive until confirmed)
    "accounts.register_sent": allow(PUBLIC),
    "accounts.register_confirm": allow(PUBLIC),  # the emailed link: its signed token is checked
    "accounts.invitation": allow(PUBLIC),  # the emailed invitation: its signed token is checked
    "home.home": allow(PUBLIC),
    "decisions.public_index": allow(PUBLIC),  # published (redacted) decision notes
    "decisions.public_note": allow(PUBLIC),
    "decisions.public_note_pdf": allow(PUBLIC),
    "decisions.docusign_connect": allow(PUBLIC),  # DocuSign Connect: its HMAC signature is checked
    # published notices, opportunities and open data (each answers 404 until published)
    "publication.opportunities": allow(PUBLIC),
    "publication.opportunity": allow(PUBLIC),
    "publication.public_notice": allow(PUBLIC),
    "publication.public_notice_pdf": allow(PUBLIC),
    "publication.opportunity_ocds": allow(PUBLIC),
    "publication.releases_feed": allow(PUBLIC),
    "procurement.public_document": allow(PUBLIC),
    # -- anyone signed in ----------------------------------------------------------------
    "accounts.logout": allow(SIGNED_IN),
    "accounts.change_password": allow(SIGNED_IN),  # your own password only
    "accounts.sign_out_everywhere": allow(SIGNED_IN),  # your own sessions only
    # -- procurements --------------------------------------------------------------------
    "home.index": allow(OFFICER, APPROVER, FINANCE, EVALUATOR),  # its own organisation's
    "home.show": allow(OFFICER, APPROVER, FINANCE, PANEL),  # a panel member: its lots only
    "procurement.audit_trail": allow(OFFICER),
    # -- notices, tender documents, clarifications (officer); questions (a supplier) -------
    "publication.notices_page": allow(OFFICER),
    "publication.notice_draft": allow(OFFICER),
    "publication.notice_preview": allow(OFFICER),
    "publication.notice_publish": allow(OFFICER),
    "publication.notice_discard": allow(OFFICER),
    "procurement.documents_page": allow(OFFICER),
    "procurement.documents_upload": allow(OFFICER),
    "procurement.document_download": allow(OFFICER),
    "procurement.document_remove": allow(OFFICER),
    "procurement.clarifications_page": allow(OFFICER),  # sees who asked
    "procurement.clarification_answer": allow(OFFICER),
    "procurement.clarification_publish": allow(OFFICER),
    "procurement.ask_question": allow(SUPPLIER),  # any supplier, on a published opportunity
    "procurement.follow": allow(SUPPLIER),
    # -- sealed bids: any supplier, on a published opportunity (the view answers 404
    #    otherwise); what it reads is its own organisation's bid only (found by the view)
    "procurement.bid_form": allow(SUPPLIER),
    "procurement.bid_submit": allow(SUPPLIER),
    "procurement.bid_withdraw": allow(SUPPLIER),
    "procurement.bid_receipt": allow(SUPPLIER),
    "procurement.bid_document": allow(SUPPLIER),
    "procurement.my_bids": allow(SUPPLIER),
    # -- sealed bids: opening (an officer, after the deadline; procurement.bids.opening_rules) ----
    "procurement.bids_opening": allow(OFFICER),  # before opening: who and when, no contents
    "procurement.bids_open": allow(OFFICER),
    "procurement.bids_open_confirm": allow(OFFICER),  # a second, different officer
    "procurement.bids_register": allow(OFFICER, APPROVER),  # 404 before opening
    "procurement.bids_register_pdf": allow(OFFICER, APPROVER),
    # -- set-up: creating a procurement (in the officer's own organisation) and its parts --
    "procurement.new_procurement": allow(OFFICER),
    "procurement.setup": allow(OFFICER),
    "procurement.details": allow(OFFICER),
    "procurement.lots": allow(OFFICER),
    "procurement.lot_form": allow(OFFICER),
    "procurement.lot_remove": allow(OFFICER),
    "procurement.partners": allow(OFFICER),
    "procurement.partner_form": allow(OFFICER),
    "procurement.partner_remove": allow(OFFICER),
    "procurement.events": allow(OFFICER),
    "procurement.event_form": allow(OFFICER),
    "procurement.event_remove": allow(OFFICER),
    "procurement.setup_dates": allow(OFFICER),
    "procurement.setup_date": allow(OFFICER),
    "procurement.setup_check": allow(OFFICER),
    "procurement.setup_finalise": allow(OFFICER),
    # -- evaluation: the model, the panel, moderation (officer) --------------------------
    "evaluation.overview": allow(OFFICER),
    "evaluation.model": allow(OFFICER),
    "evaluation.criterion": allow(OFFICER),
    "evaluation.delete_criterion": allow(OFFICER),
    "evaluation.section_minimums": allow(OFFICER),
    "evaluation.panel_page": allow(OFFICER),
    "evaluation.remove_member": allow(OFFICER),
    "evaluation.moderation_page": allow(OFFICER),
    "evaluation.consensus": allow(OFFICER),
    "evaluation.mark_final": allow(OFFICER),
    "interchange.workbook": allow(OFFICER),  # carries every individual score
    "interchange.upload": allow(OFFICER),
    "interchange.job_page": allow(OFFICER),  # a workbook job's progress and outcome
    "interchange.job_status_json": allow(OFFICER),
    "interchange.job_output": allow(OFFICER),  # the exported workbook: every score
    # -- evaluation: declaring and scoring (panel members of the lot) ---------------------
    "evaluation.mine": allow(EVALUATOR),
    "evaluation.declarations": allow(PANEL),
    "evaluation.scoring": allow(PANEL),
    "evaluation.score_bid": allow(PANEL),
    "evaluation.submit_all": allow(PANEL),
    "evaluation.my_scores_json": allow(PANEL),
    # a bid's documents after opening: 404 while sealed, 403 for a conflicted evaluator
    "evaluation.bid_document": allow(OFFICER, PANEL),
    "evaluation.bid_document_preview": allow(OFFICER, PANEL),
    # -- results: the officer and the note's readers; not the finance reviewer or admin --
    "evaluation.results": allow(OFFICER, APPROVER),
    "evaluation.results_csv": allow(OFFICER, APPROVER),
    # -- the decision note: approvers read it and sign in their turn ---------------------
    "decisions.note_page": reads(OFFICER, APPROVER, writes=(OFFICER,)),
    "decisions.note_assign_number": allow(OFFICER),
    "decisions.note_sections": allow(OFFICER),
    "decisions.note_pdf": allow(OFFICER, APPROVER),
    "decisions.note_pack_pdf": allow(OFFICER, APPROVER),
    "decisions.note_public_preview": allow(OFFICER, APPROVER),
    # a large tender's note PDFs as jobs: seen as the PDFs are (decisions.job_pages)
    "decisions.note_job_page": allow(OFFICER, APPROVER),
    "decisions.note_job_status": allow(OFFICER, APPROVER),
    "decisions.note_job_output": allow(OFFICER, APPROVER),
    "decisions.annex_form": allow(OFFICER),
    "decisions.annex_upload": allow(OFFICER),
    "decisions.annex_remove_upload": allow(OFFICER),
    "decisions.annex_delete": allow(OFFICER),
    "decisions.annex_pdf": allow(OFFICER, APPROVER),
    "decisions.signoff_page": allow(OFFICER, APPROVER),
    "decisions.signoff_send": allow(OFFICER),
    "decisions.signoff_new_version": allow(OFFICER),  # after completion: to change a signed note
    "decisions.signoff_sign": allow(APPROVER),  # in their turn: decisions.signoff.rules
    "decisions.signoff_version_pdf": allow(OFFICER, APPROVER),
    # -- letters: the officer issues them; a supplier reads its own -----------------------
    "decisions.letters_page": allow(OFFICER),
    "decisions.letters_issue": allow(OFFICER),
    "decisions.letters_zip_download": allow(OFFICER),
    "decisions.letters_job_page": allow(OFFICER),  # a large tender's zip or issue, as a job
    "decisions.letters_job_status": allow(OFFICER),
    "decisions.letters_job_output": allow(OFFICER),
    "decisions.letter_pdf": allow(OFFICER, SUPPLIER),
    "decisions.my_letters": allow(SUPPLIER),
    "home.supplier_home": allow(SUPPLIER),  # its opportunities and new answers
    "accounts.supplier_users": allow(SUPPLIER),  # its own organisation's users only
    # -- selection questionnaire (officer; marks: the officer or an assigned SQ marker) ----
    "procurement.selection_page": allow(OFFICER),
    "procurement.selection_question": allow(OFFICER),  # Part 3 only (selection.rules)
    "procurement.selection_question_new": allow(OFFICER),
    "procurement.selection_question_remove": allow(OFFICER),
    "procurement.selection_markers": allow(OFFICER),
    "procurement.selection_bidders": allow(OFFICER, SQ_MARKER),
    "procurement.selection_mark": allow(OFFICER, SQ_MARKER),  # once the bids are opened
    "procurement.selection_confirm": allow(OFFICER, SQ_MARKER),  # a second marker
    "procurement.selection_evidence": allow(OFFICER, SQ_MARKER),
    "procurement.supplier_selection": allow(SUPPLIER),  # its own answers, while open
    # -- financial standing: only the finance reviewer records; the officer reads --------
    "procurement.financial_page": reads(FINANCE, OFFICER),
    "procurement.financial_bidder": reads(FINANCE, OFFICER, writes=(FINANCE,)),
    # -- users, organisations, roles, settings (administrator) ---------------------------
    "accounts.users": allow(ADMIN),
    "accounts.user_new": allow(ADMIN),
    "accounts.user_edit": allow(ADMIN),
    "accounts.user_active": allow(ADMIN),
    "accounts.user_password": allow(ADMIN),
    "accounts.organisations": allow(ADMIN),
    "accounts.organisation_new": allow(ADMIN),
    "accounts.organisation_edit": allow(ADMIN),
    "accounts.settings": allow(ADMIN),
    "accounts.setting_edit": allow(ADMIN),
    "accounts.no_role": allow(SIGNED_IN),
}


def find_procurement(reference: str) -> Procurement | None:
    return db.session.execute(
        select(Procurement).where(Procurement.reference == reference)).scalar_one_or_none()


# -- enforcing the table -------------------------------------------------------------------

def enforce():
    """before_request: refuse anything the table does not grant, before any view runs."""
    g.access = None
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the router answers 404 or 405
        return None
    rule = ROUTES.get(endpoint)
    signed_in = bool(current_user.is_authenticated)
    if rule is not None and not signed_in and PUBLIC not in rule.grants(request.method):
        return login_manager.unauthorized()  # before loading: tell the anonymous nothing
    found = _load(request.view_args or {})
    decision = decide(rule, request.method, _actor(found.procurement), _target(found))
    if not decision.allowed:
        if decision.status == 401:
            return login_manager.unauthorized()
        abort(decision.status)
    found.grant = decision.grant
    g.access = found
    if found.procurement is not None:  # the deadline passing is seen by the next request
        follow_the_clock(found.procurement)
    return None


def _load(args: dict) -> SimpleNamespace:
    """The procurement, lot and bid a URL names; 404 when one does not exist or belong."""
    found = SimpleNamespace(procurement=None, lot=None, bid=None, grant=None)
    reference = args.get("reference")
    if reference is None:
        return found
    found.procurement = find_procurement(reference)
    if found.procurement is None:
        abort(404)
    if "code" in args:
        found.lot = db.session.execute(select(Lot).where(
            Lot.procurement_id == found.procurement.id, Lot.code == args["code"])
        ).scalar_one_or_none()
        if found.lot is None:
            abort(404)
    if "bid_id" in args:
        found.bid = db.session.get(Bid, args["bid_id"])
        lot_ok = found.lot is None or (found.bid is not None and found.bid.lot_id == found.lot.id)
        if found.bid is None or not lot_ok or found.bid.lot.procurement_id != found.procurement.id:
            abort(404)
    return found


def _actor(procurement: Procurement | None) -> Actor:
    """Who is asking, as the policy sees them; worked out once per request and procurement
    (a page asks `may` for every link it offers; an evaluator's seats cost two queries)."""
    if not current_user.is_authenticated:
        return Actor()
    if not has_request_context():
        return _actor_now(procurement)
    kept = request.environ.setdefault(_REQUEST_ACTORS, {})
    key = (current_user.get_id(), procurement.id if procurement is not None else None)
    if key not in kept:
        kept[key] = _actor_now(procurement)
    return kept[key]


_REQUEST_ACTORS = "tender.actors"  # request.environ: {(user id, procurement id): Actor}


def _actor_now(procurement: Procurement | None) -> Actor:
    panel_lots, sq_marker = frozenset(), False
    if procurement is not None and current_user.has_role("evaluator"):
        from procurement.selection.models import SqMarker

        panel_lots = frozenset(db.session.execute(
            select(PanelMember.lot_id).join(Lot, PanelMember.lot_id == Lot.id)
            .where(Lot.procurement_id == procurement.id,
                   PanelMember.user_id == current_user.id)).scalars())
        sq_marker = db.session.execute(select(SqMarker.id).where(
            SqMarker.procurement_id == procurement.id,
            SqMarker.user_id == current_user.id)).first() is not None
    return Actor(signed_in=True, roles=frozenset(current_user.role_set),
                 organisation_id=current_user.organisation_id, panel_lots=panel_lots,
                 sq_marker=sq_marker)


def _target(found: SimpleNamespace) -> Target:
    if found.procurement is None:
        return Target()
    bid_org = None
    if found.bid is not None:
        bid_org = db.session.execute(select(Bidder.organisation_id).where(
            Bidder.id == found.bid.bidder_id)).scalar_one_or_none()
    return Target(procurement_organisation_id=found.procurement.organisation_id,
                  lot_id=found.lot.id if found.lot is not None else None,
                  bid_organisation_id=bid_org, names_procurement=True,
                  names_bid=found.bid is not None)


# -- what views and templates use ----------------------------------------------------------

def _found() -> SimpleNamespace:
    found = g.get("access")
    if found is None:  # only views behind `enforce` may ask
        abort(404)
    return found


def procurement_for(reference: str) -> Procurement:
    """The procurement of this request's URL, already checked against the table."""
    found = _found()
    if found.procurement is None or found.procurement.reference != reference:
        abort(404)
    return found.procurement


def lot_for(reference: str, code: str) -> tuple[Procurement, Lot]:
    procurement = procurement_for(reference)
    lot = _found().lot
    if lot is None or lot.code != code:
        abort(404)
    return procurement, lot


def bid_for(bid_id: int) -> Bid:
    bid = _found().bid
    if bid is None or bid.id != bid_id:
        abort(404)
    return bid


def granted() -> str | None:
    """The grant that let the current person in (e.g. to show an officer more than a panel)."""
    return _found().grant


def may(endpoint: str, procurement: Procurement | None = None, lot: Lot | None = None,
        method: str = "GET") -> bool:
    """Whether the current person may use `endpoint` on these: what links a page offers."""
    found = SimpleNamespace(procurement=procurement, lot=lot, bid=None)
    decision: Decision = decide(ROUTES.get(endpoint), method, _actor(procurement),
                                _target(found))
    return decision.allowed


def register(app) -> None:
    app.before_request(enforce)
    app.jinja_env.globals["may"] = may
