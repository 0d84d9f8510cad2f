"""The `tender` command group (operators' commands of the contracts in shared/spec), and
`tender standstill REF [--from YYYY-MM-DD]` as integrations.md says. Other packages add their
`tender` commands to this group (interchange: import, export, results)."""
from __future__ import annotations

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
        start = recorded.at.date()
    try:
        click.echo(standstill_end(procurement.regime, start).isoformat())
    except ValueError as err:
        _fail(str(err))


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(1)
