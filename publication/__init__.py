"""Publication: notices built from the records, published and frozen; the public opportunity
pages; open data (OCDS 1.1 releases, packages and the feed); `notice` and `ocds` commands.

Above decisions in the package map: an award notice names the winners from the results
engine and a contract award notice under the Act needs the assessment summaries (the
letters), and OCDS `bids.details` carries the scores of the decision note's public version.
The notice records and their pure rules are the base layer's (`procurement/notices/`).
"""
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("publication", __name__, cli_group="notice")
ocds_cli = AppGroup("ocds", help="Open data: OCDS 1.1 release packages.")
