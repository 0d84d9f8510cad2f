"""The notice pages (officers: draft, preview, publish, discard) and the public pages:
/opportunities, an opportunity, its notices and their PDFs, and the open data."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

import clock
from audit.chain import canonical
from audit.services import current_actor
from extensions import db
from procurement.access import may, procurement_for
from procurement.models import REGIMES
from procurement.notices import queries, rules
from procurement.notices.forms import ActionForm, DraftForm, SearchForm
from procurement.notices.models import Interest, Notice
from procurement.states import tender_deadline_utc
from procurement.conditional import conditional
from publication import bp, content as builder, freshness, opendata, service

PER_PAGE = 20


def _notice(p, notice_id: int) -> Notice:
    n = service.notice_of(p, notice_id)
    if n is None:
        abort(404)
    return n


def _refuse(code: int, title: str, message: str):
    return render_template("errors/error.html", title=title, message=message), code


# -- officers ---------------------------------------------------------------------------------

def _notices_page(p, form, status=200):
    kinds = rules.kinds_for(p.regime)
    published = queries.published_notices(p)
    replaced = queries.superseded_ids(published)
    form.kind.choices = [(k.code, f"{k.name} ({k.code})" if k.notice_type else k.name)
                         for k in kinds.values()]
    form.supersedes.choices = [(0, "No, it is a new notice")] + [
        (n.id, f"Yes, it corrects notice {n.id} ({kinds[n.kind].name if n.kind in kinds else n.kind}, "
               f"published {n.published_at:%-d %B %Y})")
        for n in published if n.id not in replaced]
    return render_template("notices/notices.html", p=p, form=form, rows=queries.notices(p),
                           kinds=kinds, replaced=replaced, light_touch=rules.is_light_touch(p.regime),
                           regimes=REGIMES), status


@bp.route("/procurements/<reference>/notices")
def notices_page(reference):
    return _notices_page(procurement_for(reference), DraftForm())


@bp.route("/procurements/<reference>/notices", methods=["POST"])
def notice_draft(reference):
    p = procurement_for(reference)
    form = DraftForm()
    if not form.validate_on_submit():
        return _notices_page(p, form, 400)
    notice, refusal = service.draft(p, form.kind.data or "", form.supersedes.data or None,
                                    bool(form.call_for_competition.data), current_actor())
    if refusal:
        db.session.rollback()
        form.kind.errors = [refusal]
        return _notices_page(p, form, 400)
    db.session.commit()
    flash(f"Draft notice {notice.id} started: check it, then publish it.", "success")
    return redirect(url_for("publication.notice_preview", reference=reference,
                            notice_id=notice.id))


@bp.route("/procurements/<reference>/notices/<int:notice_id>")
def notice_preview(reference, notice_id):
    """A draft built from the records as they stand, with what stops it being published;
    a published notice as it was published."""
    p = procurement_for(reference)
    n = _notice(p, notice_id)
    if n.published:
        return render_template("notices/notice_officer.html", p=p, n=n, c=n.content,
                               problems=[], warnings=[], action_form=ActionForm())
    now = clock.utcnow()
    c = builder.build(p, n, now)
    problems = service.refusals(p, n, now)
    warnings = []
    if not c["cpv_codes"]:
        warnings.append("No CPV code is recorded: Find a Tender asks for at least one.")
    if not c["description"]:
        warnings.append("The procurement has no description: suppliers read it first.")
    return render_template("notices/notice_officer.html", p=p, n=n, c=c, problems=problems,
                           warnings=warnings, action_form=ActionForm())


@bp.route("/procurements/<reference>/notices/<int:notice_id>/publish", methods=["POST"])
def notice_publish(reference, notice_id):
    p = procurement_for(reference)
    n = _notice(p, notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if n.published:
        return _refuse(409, "This notice is published",
                       "A published notice is never changed: publish a correction that "
                       "supersedes it instead.")
    problems = service.publish(p, n, current_actor())
    if problems:
        db.session.rollback()
        for problem in problems:
            flash(problem, "error")
        return redirect(url_for("publication.notice_preview", reference=reference,
                                notice_id=notice_id))
    db.session.commit()
    flash(f"The {n.content['kind_name'].lower()} is published.", "success")
    return redirect(url_for("publication.notice_preview", reference=reference,
                            notice_id=notice_id))


@bp.route("/procurements/<reference>/notices/<int:notice_id>/discard", methods=["POST"])
def notice_discard(reference, notice_id):
    p = procurement_for(reference)
    n = _notice(p, notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    refusal = service.discard(p, n, current_actor())
    if refusal:
        db.session.rollback()
        return _refuse(409, "This notice is published", refusal)
    db.session.commit()
    flash(f"Draft notice {notice_id} was discarded.", "success")
    return redirect(url_for("publication.notices_page", reference=reference))


# -- the public ---------------------------------------------------------------------------------

@bp.route("/opportunities")
@conditional(freshness.all_published)
def opportunities():
    form = SearchForm(request.args)
    form.status.choices = [("open", "Open opportunities"), ("planned", "Planned procurements"),
                           ("closed", "Closed"), ("awarded", "Awarded"), ("all", "All")]
    wanted = form.status.data if form.status.data in dict(form.status.choices) else "open"
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 7 else 1
    valid = form.validate()
    found = queries.search(form.q.data or "", form.cpv.data or "", form.buyer.data or "",
                           wanted, page, PER_PAGE) if valid else queries.Page([], 1, 1, 0)
    now = clock.utcnow()
    args = {k: v for k, v in (("q", form.q.data), ("cpv", form.cpv.data),
                              ("buyer", form.buyer.data), ("status", wanted)) if v}
    return render_template("notices/opportunities.html", form=form, found=found, now=now,
                           time_left=rules.time_left, args=args, statuses=queries.STATUSES,
                           wanted=wanted)


def _public(reference):
    p = procurement_for(reference)
    published = queries.published_notices(p)
    if not published:
        abort(404)
    return p, published


@bp.route("/opportunities/<reference>")
@conditional(freshness.one_procurement)
def opportunity(reference):
    p, published = _public(reference)
    replaced = queries.superseded_ids(published)
    latest = next((n for n in reversed(queries.current(published)) if n.content.get("lots")),
                  published[-1])
    c = latest.content
    status = queries.status(p, published)
    now = clock.utcnow()
    deadline = tender_deadline_utc(p)
    close = queries.questions_close(p)
    supplier = current_user.is_authenticated and current_user.has_role("supplier")
    following = supplier and current_user.organisation_id is not None and \
        db.session.execute(select(Interest.id).where(
            Interest.procurement_id == p.id,
            Interest.organisation_id == current_user.organisation_id)).first() is not None
    asking = rules.asking_refusal(queries.opens_competition(p, published),
                                  queries.terminated(p, published), close, now)
    # the follow button's form only for a supplier: a form makes a CSRF token, which would
    # put a session in the public page (and a cookie on it), so it could not be shared
    action_form = ActionForm() if supplier else None
    return render_template(
        "notices/opportunity.html", p=p, c=c, published=published, replaced=replaced,
        status=status, statuses=queries.STATUSES, kinds=rules.kinds_for(p.regime),
        deadline=deadline, now=now, time_left=rules.time_left, questions_close=close,
        answers=queries.published_answers(p), documents=queries.current_documents(p),
        supplier=supplier, following=following, asking=asking, action_form=action_form,
        may_ask=may("procurement.ask_question", p))


@bp.route("/opportunities/<reference>/notices/<int:notice_id>")
def public_notice(reference, notice_id):
    p, published = _public(reference)
    n = _notice(p, notice_id)
    if not n.published:
        abort(404)
    replaced_by = queries.superseded_ids(published).get(n.id)
    return render_template("notices/notice_public.html", p=p, n=n, c=n.content,
                           replaced_by=replaced_by, intact=_intact(n))


def _intact(n: Notice) -> bool:
    return hashlib.sha256(canonical(n.content).encode()).hexdigest() == n.content_sha256


@bp.route("/opportunities/<reference>/notices/<int:notice_id>.pdf")
def public_notice_pdf(reference, notice_id):
    p, _published = _public(reference)
    n = _notice(p, notice_id)
    if not n.published:
        abort(404)
    if not n.pdf or hashlib.sha256(n.pdf).hexdigest() != n.pdf_sha256:
        return _refuse(409, "This notice's PDF cannot be shown",
                       "The PDF kept for this notice does not match its checksum.")
    resp = Response(n.pdf, mimetype="application/pdf")
    name = f"{p.reference} notice {n.id} {n.kind}.pdf".replace("/", "-")
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


def _json(value: dict) -> Response:
    resp = Response(json.dumps(value, ensure_ascii=False, indent=1),
                    mimetype="application/json")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Access-Control-Allow-Origin"] = "*"  # open data, for any aggregator
    return resp


@bp.route("/opportunities/<reference>/ocds.json")
@conditional(freshness.one_procurement)
def opportunity_ocds(reference):
    p, _published = _public(reference)
    return _json(opendata.package_for(p))


@bp.route("/ocds/releases.json")
@conditional(freshness.all_published)
def releases_feed():
    """Releases across procurements, newest first, `links.next` to the next page."""
    before = None
    cursor = request.args.get("before", "")
    if cursor:
        at, _, id_text = cursor.rpartition("~")
        try:
            before = (datetime.fromisoformat(at).isoformat(timespec="microseconds"),
                      int(id_text))
        except ValueError:
            abort(400)
        if not 0 < before[1] < 2**31:
            abort(400)
    limit = request.args.get("limit", "")
    size = int(limit) if limit.isdigit() and 0 < int(limit) <= 500 else 100
    package, nxt = opendata.feed(before, size)
    if nxt is not None:
        args = {"before": f"{nxt[0]}~{nxt[1]}", **({"limit": size} if limit else {})}
        package["links"] = {"next": f"{opendata.base_url()}"
                                    f"{url_for('publication.releases_feed', **args)}"}
    return _json(package)
