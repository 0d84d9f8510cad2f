"""The demo procurement and its fictional people (`flask demo load`)."""
from flask import Blueprint

bp = Blueprint("demo", __name__, cli_group="demo")
