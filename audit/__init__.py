from flask import Blueprint

bp = Blueprint("audit", __name__, cli_group="audit")

from audit import cli, routes  # noqa: E402,F401
