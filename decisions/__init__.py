from flask import Blueprint

bp = Blueprint("decisions", __name__, cli_group="decision-note")

from decisions import cli, routes  # noqa: E402,F401
