"""Letters to bidders: officers preview and issue them; a supplier downloads its own."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from decisions import bp, job_pages
from decisions import jobs as decision_jobs
from decisions.forms import ActionForm
from decisions.letters.service import (issue_letters, issued_letter_pdf, issue_refusal,
                                      latest_letters, letter_matches, letters_zip, note_of,
                                      plan_letters, sent_date)
from decisions.letters.document import render_letter
from decisions.models import Letter
from decisions.responses import pdf_response, refuse
from procurement.access import granted, procurement_for
from procurement.downloads import attachment
from procurement.bids.sealed import open_bid_for
from procurement.policy import OFFICER
from extensions import db
from procurement.models import Bid, Bidder, Lot


@bp.route("/procurements/<reference>/letters")
def letters_page(reference):
    """Each bid's letter and whether the one issued is still what the records draw (by its
    data's digest: no letter is drawn to show the page)."""
    p = procurement_for(reference)
    planned = plan_letters(p)
    issued = latest_letters(p)
    by_bid, by_lot = {}, {}
    for x in planned:  # each lot's table reads its own letters (1,000 bids, 50 lots)
        by_bid[x.bid.id] = x
        by_lot.setdefault(x.bid.lot_id, []).append(x)
    matches = {bid_id: letter_matches(letter, by_bid.get(bid_id), p)
               for bid_id, letter in issued.items()}
    note = note_of(p)
    return render_template("decisions/letters.html", p=p, by_lot=by_lot, issued=issued,
                           matches=matches, refusal=issue_refusal(p, planned),
                           sent=sent_date(p), recorded=p.date_of("decision_letters"),
                           note=note, action_form=ActionForm())


@bp.route("/procurements/<reference>/letters/issue", methods=["POST"])
def letters_issue(reference):
    p = procurement_for(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    if decision_jobs.is_large(p):  # every letter or none, once, by a worker
        return job_pages.start(decision_jobs.LETTERS_ISSUE, p)
    issued, refusal = issue_letters(p, once=True)  # a second click issues nothing twice
    if refusal:
        db.session.rollback()
        flash(refusal, "error")
        return redirect(url_for("decisions.letters_page", reference=reference))
    db.session.commit()
    if not issued:
        flash("These letters had been issued already: none was issued again.", "info")
    else:
        flash(f"{len(issued)} letter{'s' if len(issued) != 1 else ''} issued.", "success")
    return redirect(url_for("decisions.letters_page", reference=reference))


@bp.route("/procurements/<reference>/letters/<int:bid_id>.pdf")
def letter_pdf(reference, bid_id):
    """Officers: the letter as it stands. A supplier: its own letter, once issued."""
    p = procurement_for(reference)
    bid = open_bid_for(bid_id)
    if granted() == OFFICER:
        planned = next((x for x in plan_letters(p) if x.bid.id == bid.id), None)
        if planned is None or planned.data is None:
            return refuse(409, "No letter for this bid yet",
                          "This bid is missing a score, so it has no result to write about.")
        return pdf_response(render_letter(planned.data), planned.filename)
    return _supplier_letter(bid)


def _supplier_letter(bid: Bid):
    org = current_user.organisation_id
    if org is None or bid.bidder.organisation_id != org:
        abort(403)
    letter = db.session.execute(select(Letter).where(Letter.bid_id == bid.id)
                                .order_by(Letter.created_at.desc(), Letter.id.desc())
                                ).scalars().first()
    if letter is None:
        return refuse(404, "No letter yet", "No letter about this bid has been issued yet.")
    pdf, filename = issued_letter_pdf(letter)
    if not pdf:
        return refuse(404, "No letter yet", "No letter about this bid has been issued yet.")
    return pdf_response(pdf, filename)


@bp.route("/procurements/<reference>/letters.zip")
def letters_zip_download(reference):
    p = procurement_for(reference)
    filename = f"{p.reference} letters.zip"
    if decision_jobs.is_large(p):
        return job_pages.start(decision_jobs.LETTERS_ZIP, p, filename)
    items = [(x.filename, render_letter(x.data)) for x in plan_letters(p) if x.data]
    if not items:
        return refuse(409, "No letters to download", decision_jobs.NO_LETTERS)
    return attachment(letters_zip(items), filename, "application/zip")


@bp.route("/letters")
def my_letters():
    """A supplier's issued letters, across procurements."""
    org = current_user.organisation_id
    letters = []
    if org is not None:
        rows = db.session.execute(
            select(Letter).join(Bid, Letter.bid_id == Bid.id)
            .join(Bidder, Bid.bidder_id == Bidder.id)
            .where(Bidder.organisation_id == org)
            .order_by(Letter.created_at.desc(), Letter.id.desc())).scalars()
        latest = {}
        for letter in rows:
            latest.setdefault(letter.bid_id, letter)
        letters = sorted(latest.values(), key=lambda x: (
            x.bid.lot.procurement.reference, x.bid.lot.position, x.bid.lot.code))
    return render_template("decisions/letters_mine.html", letters=letters, Lot=Lot)
