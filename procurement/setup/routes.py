"""The set-up pages (procurement officer of the procurement's organisation): thin views that
parse a form, ask the services, commit the change with its audit record, and redirect.

Every route is declared in procurement.access.ROUTES; the policy has already loaded the
procurement and checked the person before a view runs. A lot, partner or event named in the
URL must belong to that procurement, else 404.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from extensions import db
from procurement import bp
from procurement.access import procurement_for
from procurement.models import (BUYER_KINDS, DATE_KINDS, DATE_LABELS, REGIMES,
                                EngagementEvent, Lot, PartnerContribution)
from procurement.setup import rules, services
from procurement.setup.forms import (TIMED_KINDS, ActionForm, DateForm, DetailsForm,
                                     EventForm, LotForm, PartnerForm)
from procurement.setup.services import Refused
from procurement.setup_rules import check_totals


def _done(message: str, target: str):
    flash(message, "success")
    return redirect(target, code=303)


def _refused(message: str, target: str):
    flash(message, "error")
    return redirect(target, code=303)


def _setup_url(p) -> str:
    return url_for("procurement.setup", reference=p.reference)


def _common(p) -> dict:
    return {"p": p, "regimes": REGIMES, "buyer_kinds": BUYER_KINDS, "date_labels": DATE_LABELS}


# -- creating and changing the procurement -----------------------------------------------------

@bp.route("/procurements/new", methods=["GET", "POST"])
def new_procurement():
    form = DetailsForm(creating=True)
    if current_user.organisation_id is None:
        flash("Your account belongs to no organisation, so you cannot create a procurement: "
              "ask the administrator to add you to your organisation.", "error")
        return render_template("procurement/setup/details.html", form=form, p=None,
                               organisation=None, creating=True, regimes=REGIMES), 403
    if request.method == "GET":
        form.buyer_kind.data = "sub_central"
        form.two_person_opening.data = "no"
    elif form.validate():
        try:
            p = services.create_procurement(form.clean, current_user.organisation_id)
            db.session.commit()
        except Refused as e:
            db.session.rollback()
            form.reference.errors = list(form.reference.errors) + [str(e)]
        except IntegrityError:  # another officer took the reference a moment ago
            db.session.rollback()
            form.reference.errors = list(form.reference.errors) + [
                rules.reference_error(form.clean["reference"], taken=True)]
        else:
            return _done(f"Procurement {p.reference} created. Add its lots, partners and key "
                         "dates, then finalise the set-up.", _setup_url(p))
    status = 400 if form.errors else 200
    return render_template("procurement/setup/details.html", form=form, p=None,
                           organisation=current_user.organisation, creating=True,
                           regimes=REGIMES), status


@bp.route("/procurements/<reference>/details", methods=["GET", "POST"])
def details(reference):
    p = procurement_for(reference)
    form = DetailsForm()
    if request.method == "GET":
        form.load(p)
    elif form.validate():
        try:
            changed = services.update_details(p, form.clean)
        except Refused as e:
            db.session.rollback()
            return _refused(str(e) + " Nothing was changed.", _setup_url(p))
        db.session.commit()
        return _done("Procurement details saved." if changed else "Nothing was changed.",
                     _setup_url(p))
    form.reference.data = p.reference
    status = 400 if form.errors else 200
    return render_template("procurement/setup/details.html", form=form,
                           organisation=p.organisation, creating=False,
                           locked=services.locked(p, "title"), **_common(p)), status


# -- the task list and check your answers -----------------------------------------------------

@bp.route("/procurements/<reference>/set-up")
def setup(reference):
    p = procurement_for(reference)
    facts = services.facts(p)
    return render_template("procurement/setup/task_list.html", tasks=rules.tasks(facts),
                           done=sum(t.status == rules.COMPLETED for t in rules.tasks(facts)),
                           **_common(p))


def _check_page(p, problems: list[str], status: int = 200):
    return render_template(
        "procurement/setup/check.html", problems=problems, form=ActionForm(),
        threshold=services.threshold_assessment(p), dates=sorted(p.dates, key=lambda d: d.at),
        totals=check_totals({lot.code: lot.annual_value for lot in p.lots},
                            {x.name: x.annual_contribution for x in p.partners}),
        lock=services.locked(p, "lots"), **_common(p)), status


@bp.route("/procurements/<reference>/set-up/check")
def setup_check(reference):
    return _check_page(procurement_for(reference), [])


@bp.route("/procurements/<reference>/set-up/finalise", methods=["POST"])
def setup_finalise(reference):
    p = procurement_for(reference)
    form = ActionForm()
    if not form.validate():
        return _check_page(p, ["Your form expired: reload the page and try again"], 400)
    try:
        services.finalise(p)
    except Refused as e:
        db.session.rollback()
        return _check_page(p, str(e).split("\n"), 409)
    db.session.commit()
    return _done(f"The set-up of {p.reference} is finalised: its lot values and partner "
                 "contributions add up.", _setup_url(p))


# -- lots ---------------------------------------------------------------------------------------

def _lot(p, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.procurement_id != p.id:
        abort(404)
    return lot


def _lots_url(p) -> str:
    return url_for("procurement.lots", reference=p.reference)


@bp.route("/procurements/<reference>/lots")
def lots(reference):
    p = procurement_for(reference)
    totals = check_totals({lot.code: lot.annual_value for lot in p.lots},
                          {x.name: x.annual_contribution for x in p.partners})
    return render_template("procurement/setup/lots.html", totals=totals,
                           lock=services.locked(p, "lots"), **_common(p))


@bp.route("/procurements/<reference>/lots/new", methods=["GET", "POST"])
@bp.route("/procurements/<reference>/lots/<int:lot_id>", methods=["GET", "POST"])
def lot_form(reference, lot_id=None):
    p = procurement_for(reference)
    lot = _lot(p, lot_id) if lot_id is not None else None
    form = LotForm()
    lock = services.locked(p, "lots")
    if request.method == "GET" and lot is not None:
        form.code.data, form.title.data = lot.code, lot.title
        form.annual_value.data = f"{lot.annual_value:,.2f}".removesuffix(".00")
    elif request.method == "POST":
        if lock:
            return _refused(lock + " Nothing was changed.", _lots_url(p))
        if form.validate():
            try:
                saved = services.save_lot(p, form.clean, lot)
                db.session.commit()
            except Refused as e:
                db.session.rollback()
                form.code.errors = list(form.code.errors) + [str(e)]
            except IntegrityError:  # the same code added a moment ago by someone else
                db.session.rollback()
                form.code.errors = list(form.code.errors) + [
                    f"Enter a different lot code: lot {form.clean['code']} already exists"]
            else:
                return _done(f"Lot {saved.code} {'added' if lot is None else 'saved'}.",
                             _lots_url(p))
    return render_template("procurement/setup/lot.html", form=form, lot=lot, lock=lock,
                           **_common(p)), (400 if form.errors else 200)


@bp.route("/procurements/<reference>/lots/<int:lot_id>/remove", methods=["GET", "POST"])
def lot_remove(reference, lot_id):
    p = procurement_for(reference)
    lot = _lot(p, lot_id)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        code = lot.code
        try:
            services.remove_lot(p, lot)
        except Refused as e:
            db.session.rollback()
            return _refused(str(e) + " Nothing was changed.", _lots_url(p))
        db.session.commit()
        return _done(f"Lot {code} removed.", _lots_url(p))
    return render_template("procurement/setup/remove.html", form=form,
                           what=f"lot {lot.code}: {lot.title}", back_to=_lots_url(p),
                           lock=services.locked(p, "lots"), **_common(p)), (
        400 if form.errors else 200)


# -- partners -----------------------------------------------------------------------------------

def _partner(p, partner_id: int) -> PartnerContribution:
    partner = db.session.get(PartnerContribution, partner_id)
    if partner is None or partner.procurement_id != p.id:
        abort(404)
    return partner


def _partners_url(p) -> str:
    return url_for("procurement.partners", reference=p.reference)


@bp.route("/procurements/<reference>/partners")
def partners(reference):
    p = procurement_for(reference)
    totals = check_totals({lot.code: lot.annual_value for lot in p.lots},
                          {x.name: x.annual_contribution for x in p.partners})
    return render_template("procurement/setup/partners.html", totals=totals,
                           lock=services.locked(p, "partners"), **_common(p))


@bp.route("/procurements/<reference>/partners/new", methods=["GET", "POST"])
@bp.route("/procurements/<reference>/partners/<int:partner_id>", methods=["GET", "POST"])
def partner_form(reference, partner_id=None):
    p = procurement_for(reference)
    partner = _partner(p, partner_id) if partner_id is not None else None
    form = PartnerForm()
    lock = services.locked(p, "partners")
    if request.method == "GET" and partner is not None:
        form.name.data = partner.name
        form.annual_contribution.data = f"{partner.annual_contribution:,.2f}".removesuffix(".00")
    elif request.method == "POST":
        if lock:
            return _refused(lock + " Nothing was changed.", _partners_url(p))
        if form.validate():
            try:
                saved = services.save_partner(p, form.clean, partner)
            except Refused as e:
                db.session.rollback()
                form.name.errors = list(form.name.errors) + [str(e)]
            else:
                db.session.commit()
                return _done(f"{saved.name} {'added' if partner is None else 'saved'}.",
                             _partners_url(p))
    return render_template("procurement/setup/partner.html", form=form, partner=partner,
                           lock=lock, **_common(p)), (400 if form.errors else 200)


@bp.route("/procurements/<reference>/partners/<int:partner_id>/remove", methods=["GET", "POST"])
def partner_remove(reference, partner_id):
    p = procurement_for(reference)
    partner = _partner(p, partner_id)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        name = partner.name
        try:
            services.remove_partner(p, partner)
        except Refused as e:
            db.session.rollback()
            return _refused(str(e) + " Nothing was changed.", _partners_url(p))
        db.session.commit()
        return _done(f"{name} removed.", _partners_url(p))
    return render_template("procurement/setup/remove.html", form=form,
                           what=f"partner {partner.name}", back_to=_partners_url(p),
                           lock=services.locked(p, "partners"), **_common(p)), (
        400 if form.errors else 200)


# -- engagement events ----------------------------------------------------------------------------

def _event(p, event_id: int) -> EngagementEvent:
    event = db.session.get(EngagementEvent, event_id)
    if event is None or event.procurement_id != p.id:
        abort(404)
    return event


def _events_url(p) -> str:
    return url_for("procurement.events", reference=p.reference)


@bp.route("/procurements/<reference>/events")
def events(reference):
    return render_template("procurement/setup/events.html", **_common(procurement_for(reference)))


@bp.route("/procurements/<reference>/events/new", methods=["GET", "POST"])
@bp.route("/procurements/<reference>/events/<int:event_id>", methods=["GET", "POST"])
def event_form(reference, event_id=None):
    p = procurement_for(reference)
    event = _event(p, event_id) if event_id is not None else None
    form = EventForm()
    if request.method == "GET" and event is not None:
        form.load(event)
    elif request.method == "POST" and form.validate():
        saved = services.save_event(p, form.clean, event)
        db.session.commit()
        return _done(f"{saved.kind} on {saved.on_date.strftime('%-d %B %Y')} "
                     f"{'added' if event is None else 'saved'}.", _events_url(p))
    return render_template("procurement/setup/event.html", form=form, event=event,
                           **_common(p)), (400 if form.errors else 200)


@bp.route("/procurements/<reference>/events/<int:event_id>/remove", methods=["GET", "POST"])
def event_remove(reference, event_id):
    p = procurement_for(reference)
    event = _event(p, event_id)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        what = f"{event.kind} on {event.on_date.strftime('%-d %B %Y')}"
        services.remove_event(p, event)
        db.session.commit()
        return _done(f"{what} removed.", _events_url(p))
    return render_template("procurement/setup/remove.html", form=form,
                           what=f"the {event.kind.lower()} on "
                                f"{event.on_date.strftime('%-d %B %Y')}",
                           back_to=_events_url(p), lock=None, **_common(p)), (
        400 if form.errors else 200)


# -- key dates (a simple add, change and remove; the timeline rules are their own) ----------------

def _dates_url(p) -> str:
    return url_for("procurement.setup_dates", reference=p.reference)


@bp.route("/procurements/<reference>/set-up/dates")
def setup_dates(reference):
    p = procurement_for(reference)
    return render_template("procurement/setup/dates.html", kinds=DATE_KINDS,
                           locked={k: services.locked(p, k) for k in DATE_KINDS}, **_common(p))


@bp.route("/procurements/<reference>/set-up/dates/<date_kind>", methods=["GET", "POST"])
def setup_date(reference, date_kind):
    p = procurement_for(reference)
    if date_kind not in DATE_KINDS:
        abort(404)
    form = DateForm(kind=date_kind)
    lock = services.locked(p, date_kind)
    if request.method == "GET":
        form.load(p.date_of(date_kind))
    elif lock:
        return _refused(lock + " Nothing was changed.", _dates_url(p))
    elif form.validate():
        done = services.set_date(p, date_kind, form.clean["day"], form.clean["time"])
        db.session.commit()
        label = DATE_LABELS[date_kind]
        return _done({"set": f"{label} date saved.", "removed": f"{label} date removed.",
                      "none": "Nothing was changed."}[done], _dates_url(p))
    return render_template("procurement/setup/date.html", form=form, kind=date_kind,
                           label=DATE_LABELS[date_kind], timed=date_kind in TIMED_KINDS,
                           lock=lock, **_common(p)), (400 if form.errors else 200)
