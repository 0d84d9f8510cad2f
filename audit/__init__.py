"""Hash-chained audit records: every layer writes them in the same commit as its change.

The foundation under accounts and procurement: it imports nothing of the domain.
"""
from flask import Blueprint

bp = Blueprint("audit", __name__, cli_group="audit")
