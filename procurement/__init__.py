"""The base layer: procurements, lots, partners, key dates, bidders, bids and panels; the one
access policy; thresholds, standstill and set-up rules. Notices, bids and selection grow
here as sub-packages. Nothing in this package imports evaluation, decisions or interchange.
"""
from flask import Blueprint

bp = Blueprint("procurement", __name__)
