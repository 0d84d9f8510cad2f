"""`tender finalise REF [--lot CODE]` (publication-and-bids.md): the officer's "results final".

All the lots named, or none: a refusal for one lot changes nothing for the others. Errors go
to standard error, one line each, with exit status 1.
"""
from __future__ import annotations

import sys

import click

from evaluation.moderation.service import mark_final
from evaluation.rules import Refused
from extensions import db
from procurement.access import find_procurement
from procurement.cli import tender


@tender.command("finalise")
@click.argument("reference")
@click.option("--lot", "lot_code", metavar="CODE", help="only this lot (default: every lot)")
def finalise_command(reference: str, lot_code: str | None) -> None:
    """Mark the lots' results final: refused while a bid is unmoderated or incomplete."""
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    lots = [lot for lot in procurement.lots if lot_code in (None, lot.code)]
    if lot_code is not None and not lots:
        _fail(f"Procurement {reference} has no lot {lot_code}")
    done = []
    for lot in lots:
        if lot.results_final_at is not None:
            continue
        try:
            mark_final(lot)
        except Refused as e:
            _fail(f"Lot {lot.code}: {e}")
        done.append(lot.code)
    db.session.commit()
    if done:
        click.echo(f"Results final: lot{'s' if len(done) > 1 else ''} {', '.join(done)}")
    else:
        click.echo("The results were already final")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)
