from flask import Blueprint

bp = Blueprint("evaluation", __name__, cli_group=None)

from evaluation import routes  # noqa: E402,F401
