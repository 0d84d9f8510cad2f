from flask import Blueprint

bp = Blueprint("demo", __name__, cli_group="demo")

from demo import cli  # noqa: E402,F401
