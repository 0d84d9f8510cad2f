"""Jinja filters and globals shared by every blueprint's templates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g
from jinja2 import Undefined

from sqlalchemy.exc import SQLAlchemyError

from accounts.models import DEFAULT_SETTINGS, ROLES, get_setting
from extensions import db
from procurement.formatting import money, score, when

UK = ZoneInfo("Europe/London")
EXPIRED = "Your form expired: reload the page and try again"


def uk_when(value, with_time: bool = True) -> str:
    """16 August 2023, 12:00 (UK time) from an ISO 8601 string with an offset or Z, a naive
    UTC datetime (what the system records), or a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if "T" not in value:
            value = date.fromisoformat(value)
        else:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        local = aware.astimezone(UK)
        text = f"{local.day} {local:%B %Y}"
        return f"{text}, {local:%H:%M}" if with_time else text
    return f"{value.day} {value:%B %Y}"


def feedback_url() -> str:
    """The phase banner's feedback link (a setting), read once a request."""
    if "feedback_url" not in g:
        try:
            g.feedback_url = get_setting("feedback_url")
        except SQLAlchemyError:  # no settings table yet (a database not yet upgraded)
            db.session.rollback()
            g.feedback_url = DEFAULT_SETTINGS["feedback_url"]
    return g.feedback_url


def form_errors(form) -> list[tuple[str, str]]:
    """A WTForms form's errors as the error summary's (field id, message), in field order: a
    list of rows by each row's own fields (their ids are the ones on the page); an expired
    CSRF token links to the main content, having no field of its own to link to."""
    links: list[tuple[str, str]] = []
    if form is None or isinstance(form, Undefined):
        return links  # a page shown without its form
    for f in form:
        if f.type == "FieldList":
            links += [(sub.id, e) for entry in f.entries for sub in entry.form for e in sub.errors]
        elif f.type == "CSRFTokenField":
            links += [("main-content", EXPIRED) for _ in f.errors]
        else:
            links += [(f.id, e) for e in f.errors]
    return links


def register(app: Flask) -> None:
    app.jinja_env.globals["form_errors"] = form_errors
    app.jinja_env.globals["feedback_url"] = feedback_url
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["score2"] = score
    app.jinja_env.filters["uk_when"] = uk_when
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["ROLES"] = ROLES
