"""Decisions: the decision note, its annexes, sign-off (in the app and through DocuSign) and the
letters to bidders.
"""
from flask import Blueprint

bp = Blueprint("decisions", __name__, cli_group="decision-note")
