from flask import Blueprint

bp = Blueprint("decisions", __name__, cli_group="decision-note")

from decisions import cli, routes, signing_cli, signing_routes, webhook  # noqa: E402,F401
