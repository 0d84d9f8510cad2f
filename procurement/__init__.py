from flask import Blueprint

bp = Blueprint("procurement", __name__, cli_group="tender")

from procurement import cli, routes, standstill_cli  # noqa: E402,F401
