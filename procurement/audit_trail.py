"""The audit page: a procurement officer filters a procurement's audit records."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from procurement.access import procurement_for
from procurement import bp
from audit.describe import summary
from audit.models import AuditRecord
from extensions import db

PER_PAGE = 50


def _day(name: str, errors: dict) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a real date in the format YYYY-MM-DD, like 2023-08-01"
        return None


@bp.route("/procurements/<reference>/audit")
def audit_trail(reference):
    from procurement.access import find_procurement

    procurement = find_procurement(reference)
    if procurement is None:
        abort(404)
    if current_user.organisation_id != procurement.organisation_id:
        abort(403)
    errors: dict[str, str] = {}
    filters = {k: (request.args.get(k) or "").strip() for k in ("entity", "action", "actor")}
    start, end = _day("from", errors), _day("to", errors)
    if start and end and end < start:
        errors["to"] = "The end date must be the same as or after the start date"
        end = None
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1

    mine = AuditRecord.procurement_ref == procurement.reference
    query = select(AuditRecord).where(mine)
    if filters["entity"]:
        query = query.where(AuditRecord.entity == filters["entity"])
    if filters["action"]:
        query = query.where(AuditRecord.action == filters["action"])
    if filters["actor"]:
        query = query.where(func.lower(AuditRecord.actor).contains(filters["actor"].lower(),
                                                                   autoescape=True))
    if start:
        query = query.where(AuditRecord.at >= datetime.combine(start, datetime.min.time()))
    if end:
        query = query.where(AuditRecord.at < datetime.combine(end + timedelta(days=1),
                                                              datetime.min.time()))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)  # a page past the last (however large) shows the last page
    records = db.session.execute(query.order_by(AuditRecord.seq.desc())
                                 .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).scalars().all()
    entities = db.session.execute(select(AuditRecord.entity).where(mine).distinct()
                                  .order_by(AuditRecord.entity)).scalars().all()
    actions = db.session.execute(select(AuditRecord.action).where(mine).distinct()
                                 .order_by(AuditRecord.action)).scalars().all()
    return render_template(
        "audit/records.html", p=procurement, records=records, summary=summary, total=total, page=page,
        pages=pages, filters=filters, start=request.args.get("from", ""),
        end=request.args.get("to", ""), errors=errors, entities=entities, actions=actions), \
        (400 if errors else 200)
