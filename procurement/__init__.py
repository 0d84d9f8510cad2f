from flask import Blueprint

bp = Blueprint("procurement", __name__, cli_group="tender")

from procurement import routes  # noqa: E402,F401
