"""Evaluation pages: model editor, panel, scoring, moderation, results."""
from evaluation import bp  # noqa: F401
