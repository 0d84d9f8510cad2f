"""Evaluation: the criteria (the evaluation model), the panel and its declarations, individual
scoring, moderation to consensus, and the results engine.
"""
from flask import Blueprint

bp = Blueprint("evaluation", __name__, cli_group=None)
