"""The supplier's bid pages: the bid form (draft, submit, withdraw), the receipt, its list of
bids, and downloading its own documents. The contract (shared spec "Sealed bids"):
`GET|POST /opportunities/REF/lots/CODE/bid`, multipart `csrf_token`, `price`, `documents`.

A POST with the browser form's buttons carries `action` (`submit` or `draft`) and, to
submit, the `declaration` box ticked. A plain POST without `action` is the contract's
submission: it submits exactly the documents it carries, and sending the contract's fields
to submit is taken as the declaration (there is no box to tick in it).
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, StringField

import clock
import mail
from procurement import bp
from procurement.access import lot_for
from procurement.bids import queries, rules, service, storage, uploads
from procurement.bids.models import DRAFT
from procurement.notices import filetypes
from procurement.states import tender_deadline_utc

SUBMIT_ENDPOINTS = {"procurement.bid_submit"}
FORM_ROOM = 1024 * 1024  # the form's other fields and the multipart framing
BLANK_LINES = 3  # empty price lines offered below those entered


class BidForm(FlaskForm):
    price = StringField("Your price for the lot (£)")
    declaration = BooleanField("I declare that this bid is complete and true, and that I am "
                               "authorised to submit it for my organisation")


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


def limit_bid_uploads():
    """before_request, before the CSRF check reads the form: a bid may carry up to
    DOCUMENTS_MAX files of the size the setting allows (each is checked on its own)."""
    if request.endpoint in SUBMIT_ENDPOINTS:
        limit = uploads.max_bytes()
        request.max_content_length = limit * rules.DOCUMENTS_MAX + FORM_ROOM
        g.upload_limit = filetypes.size_text(request.max_content_length - FORM_ROOM)


@bp.record
def _register(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, limit_bid_uploads)


# -- helpers ----------------------------------------------------------------------------------

def _opportunity(reference: str, code: str):
    p, lot = lot_for(reference, code)
    if not service.is_open_for_bids(p):
        abort(404)  # not an opportunity: no bid form
    if current_user.organisation_id is None:
        abort(403)
    return p, lot


def _late(p) -> str | None:
    return rules.deadline_refusal(tender_deadline_utc(p), clock.utcnow())


def _form_page(p, lot, form, errors=(), values=None, status=200, refusal=None):
    bid = service.bid_of(lot, current_user.organisation_id)
    draft = service.draft_of(bid)
    values = values or {}
    if "price" not in values:
        values["price"] = "" if draft is None or draft.price is None else f"{draft.price:f}"
    if "lines" not in values:
        values["lines"] = [] if draft is None else [
            (line.description, f"{line.amount:f}") for line in draft.price_lines]
    values["lines"] = [(d, a) for d, a in values["lines"] if d.strip() or a.strip()] + \
        [("", "")] * BLANK_LINES
    return render_template(
        "bids/form.html", p=p, lot=lot, form=form, errors=list(errors), values=values,
        bid=bid, draft=draft, current=service.current_version(bid),
        versions=service.versions(bid), needs_price=service.needs_price(lot),
        deadline=tender_deadline_utc(p), refusal=refusal or _late(p),
        limit=filetypes.size_text(uploads.max_bytes()), accepted=filetypes.ACCEPTED,
        documents_max=rules.DOCUMENTS_MAX, action_form=ActionForm()), status


def _lines_entered() -> list[tuple[str, str]]:
    descriptions = request.form.getlist("line_description")
    amounts = request.form.getlist("line_amount")
    n = max(len(descriptions), len(amounts))
    descriptions += [""] * (n - len(descriptions))
    amounts += [""] * (n - len(amounts))
    return list(zip(descriptions, amounts))


def _send_receipt(p, lot, version) -> None:
    try:
        mail.send(current_user.email, f"Bid received: {p.reference} lot {lot.code}, version "
                  f"{version.number}", service.receipt_text(p, lot, version))
    except Exception as exc:  # noqa: BLE001 - the bid is received; the mail can be resent
        current_app.logger.error("the receipt of %s lot %s version %s was not mailed: %s",
                                 p.reference, lot.code, version.number, exc)
        flash("Your bid was received, but the receipt could not be emailed: keep this page.",
              "warning")


# -- the bid form -----------------------------------------------------------------------------

@bp.route("/opportunities/<reference>/lots/<code>/bid")
def bid_form(reference, code):
    p, lot = _opportunity(reference, code)
    return _form_page(p, lot, BidForm())


@bp.route("/opportunities/<reference>/lots/<code>/bid", methods=["POST"])
def bid_submit(reference, code):
    p, lot = _opportunity(reference, code)
    try:
        form = BidForm()
        valid = form.validate_on_submit()
        files = request.files.getlist("documents")
    except RequestEntityTooLarge:
        return _form_page(p, lot, BidForm(formdata=None), [(
            "documents", f"The files are larger than the {rules.DOCUMENTS_MAX} files of "
                         f"{filetypes.size_text(uploads.max_bytes())} allowed")], status=413)
    if not valid:
        return _form_page(p, lot, form, [("main-content", "Your form expired: reload the page "
                                          "and try again")], status=400)
    late = _late(p)
    if late:  # said at once; the transaction checks again, after its lock
        return _form_page(p, lot, form, [("main-content", late)], status=409)
    action = request.form.get("action")
    browser = action is not None
    needs_price = service.needs_price(lot)
    errors: list[tuple[str, str]] = []
    lines, line_problems = rules.price_lines(_lines_entered() if browser else [])
    errors += [("line-description-1", problem) for problem in line_problems]
    checked, problems = uploads.checked(files, uploads.max_bytes())
    errors += [("documents", problem) for problem in problems]
    values = {"price": form.price.data or "", "lines": _lines_entered() if browser else []}
    bid = service.bid_of(lot, current_user.organisation_id)
    draft = service.draft_of(bid)
    remove = {int(x) for x in request.form.getlist("remove_document") if x.isdigit()}
    if action == "draft":
        price, problem = rules.parse_money(form.price.data) if needs_price else (None, None)
        if problem:
            errors.insert(0, ("price", problem))
        if errors:
            return _form_page(p, lot, form, errors, values, 400)
        outcome = service.save_draft(p, lot, current_user, price, lines, checked, remove)
        if outcome.refusal:
            return _form_page(p, lot, form, [("main-content", outcome.refusal)], values, 409)
        flash("Your draft was saved. It is not a bid until you submit it.", "success")
        return redirect(url_for("procurement.bid_form", reference=reference, code=code))
    if action not in (None, "submit"):
        abort(400)
    price, problem = rules.price_refusal(form.price.data, needs_price)
    if problem:
        errors.insert(0, ("price", problem))
    elif not line_problems:
        problem = rules.lines_sum_refusal(price, lines)
        if problem:
            errors.append(("line-description-1", problem))
    kept = len([d for d in draft.documents if d.id not in remove]) \
        if (browser and draft is not None) else 0
    if not problems:
        problem = rules.documents_refusal(kept + len(checked))
        if problem:
            errors.append(("documents", problem))
    declared = bool(form.declaration.data) if browser else True
    problem = rules.declaration_refusal(declared)
    if problem:
        errors.append(("declaration", problem))
    if errors:
        return _form_page(p, lot, form, errors, values, 400)
    outcome = service.submit(p, lot, current_user, price, lines, checked, declared=declared,
                             with_draft=browser, remove=remove)
    if outcome.refusal:
        return _form_page(p, lot, form, [("main-content", outcome.refusal)], values, 409)
    number = outcome.version.number
    version = service.version(service.bid_of(lot, current_user.organisation_id), number)
    _send_receipt(p, lot, version)
    flash(f"Your bid was received: version {number}.", "success")
    return redirect(url_for("procurement.bid_receipt", reference=reference, code=code,
                            number=number))


@bp.route("/opportunities/<reference>/lots/<code>/bid/withdraw", methods=["POST"])
def bid_withdraw(reference, code):
    p, lot = _opportunity(reference, code)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = service.withdraw(p, lot, current_user)
    if outcome.refusal:
        return _form_page(p, lot, BidForm(formdata=None), [("main-content", outcome.refusal)],
                          status=409)
    flash(f"Your bid's version {outcome.version.number} was withdrawn. You may submit a new "
          "version before the deadline.", "success")
    return redirect(url_for("procurement.bid_form", reference=reference, code=code))


# -- the receipt, the list, the documents -----------------------------------------------------

@bp.route("/opportunities/<reference>/lots/<code>/bid/receipt/<int:number>")
def bid_receipt(reference, code, number):
    p, lot = lot_for(reference, code)
    bid = service.bid_of(lot, current_user.organisation_id)
    version = service.version(bid, number)
    if version is None:
        abort(404)
    return render_template("bids/receipt.html", p=p, lot=lot, bid=bid, v=version,
                           utc_iso=rules.utc_iso, uk_text=rules.uk_text)


@bp.route("/opportunities/<reference>/lots/<code>/bid/documents/<int:document_id>")
def bid_document(reference, code, document_id):
    """One of the supplier's own documents (any version, the draft's too), streamed with
    its hash checked first; another organisation's is not there (404)."""
    p, lot = lot_for(reference, code)
    doc = service.document_of(service.bid_of(lot, current_user.organisation_id), document_id)
    if doc is None:
        abort(404)
    kind = filetypes.TYPES.get(doc.file_type)
    return storage.send(doc.file, filetypes.download_name(doc.name, kind), kind.content_type)


@bp.route("/bids")
def my_bids():
    rows = []
    for p, lot, bid in queries.bids_of_organisation(current_user.organisation_id):
        rows.append({"p": p, "lot": lot, "bid": bid, "versions": service.versions(bid),
                     "draft": service.draft_of(bid)})
    return render_template("bids/mine.html", rows=rows, DRAFT=DRAFT)
