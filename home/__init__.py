"""Where people start: the start page and the procurement pages that bring every part together.

The top of the package map: it may read every layer beneath it.
"""
from flask import Blueprint

bp = Blueprint("home", __name__)
