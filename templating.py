"""Jinja filters and globals shared by every blueprint's templates."""
from __future__ import annotations

from flask import Flask

from accounts.models import ROLES
from procurement.formatting import money, score, when


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["score2"] = score
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["ROLES"] = ROLES
