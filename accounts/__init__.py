from flask import Blueprint

bp = Blueprint("accounts", __name__, cli_group="accounts")

from accounts import cli, routes  # noqa: E402,F401
