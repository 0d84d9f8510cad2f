"""Jinja filters and globals shared by every blueprint's templates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g

from accounts.models import ROLES, get_setting
from procurement.formatting import money, score, when

UK = ZoneInfo("Europe/London")


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
        g.feedback_url = get_setting("feedback_url")
    return g.feedback_url


def register(app: Flask) -> None:
    app.jinja_env.globals["feedback_url"] = feedback_url
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["score2"] = score
    app.jinja_env.filters["uk_when"] = uk_when
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["ROLES"] = ROLES
