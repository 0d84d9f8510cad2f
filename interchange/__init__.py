"""The tender workbook in and out (tender-workbook.md): import, export, and the panel's
score uploads. It writes procurements, bids and scores alike, so it sits above evaluation.
"""
from flask import Blueprint

bp = Blueprint("interchange", __name__)
