"""The `tender` command group (operators' commands of the contracts in shared/spec), and
`tender standstill REF [--from YYYY-MM-DD]` as integrations.md says, and `tender timeline REF
--format json` and `tender bids REF --format json` as publication-and-bids.md says. Other packages add their
`tender` commands to this group (interchange: import, export, results)."""
from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask.cli import AppGroup

from procurement.access import find_procurement
from procurement.standstill import standstill_end

tender = AppGroup("tender", help="Procurements: the workbook, results, standstill.")


@tender.command("standstill")
@click.argument("reference")
@click.option("--from", "from_", metavar="YYYY-MM-DD",
              help="day the award notice was published (PA2023) or decision notices sent (PCR2015)")
def standstill_command(reference, from_):
    """Print the last day of the standstill period."""
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    if from_:
        try:
            start = date.fromisoformat(from_)
        except ValueError:
            _fail(f"--from {from_!r} is not a date: write it as YYYY-MM-DD")
    else:
        recorded = procurement.date_of("award_notice") or procurement.date_of("decision_letters")
        if recorded is None:
            _fail(f"{reference} has no award notice or decision letters date: give --from YYYY-MM-DD")
        start = recorded.local_date
    try:
        click.echo(standstill_end(procurement.regime, start).isoformat())
    except ValueError as err:
        _fail(str(err))


@tender.command("timeline")
@click.argument("reference")
@click.option("--format", "format_", default="json", show_default=True, metavar="json",
              help="json: {reference, regime, dates: [{kind, date, earliest, basis, holds}]}")
def timeline_command(reference, format_):
    """Print each key date the law constrains with its earliest lawful date and basis."""
    from procurement.key_dates import key_date_checks
    from procurement.timeline import timeline_json

    if format_ != "json":  # checked here, not by click, so the error is one line
        _fail(f"Unknown format {format_!r}: the timeline is printed as json (--format json)")
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    document = timeline_json(procurement.reference, procurement.regime,
                             key_date_checks(procurement))
    click.echo(json.dumps(document, indent=2))


@tender.command("bids")
@click.argument("reference")
@click.option("--format", "format_", default="json", show_default=True, metavar="json",
              help="json: {reference, tender_deadline, opened_at, bids: [{lot, bidder, "
                   "version, received_at, state, documents: [{name, sha256}]}]}")
def bids_command(reference, format_):
    """Print every version of every bid received (never contents or prices)."""
    from procurement.bids.queries import bids_json

    if format_ != "json":
        _fail(f"Unknown format {format_!r}: the bids are printed as json (--format json)")
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    click.echo(json.dumps(bids_json(procurement), indent=2, ensure_ascii=False))


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(1)
