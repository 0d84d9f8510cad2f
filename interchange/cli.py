"""`flask --app app tender import|export|results`, as ../shared/spec/tender-workbook.md says.

Errors go to standard error one line each, then exit status 1 with nothing written: bad input
is reported, never a traceback. The workbook and results modules are imported inside the
commands, so starting the app does not load openpyxl.
"""
from __future__ import annotations

import csv
import json
import sys

import click

from procurement.cli import tender


def _fail(lines) -> None:
    for line in lines:
        click.echo(str(line), err=True)
    sys.exit(1)


def _procurement(reference: str):
    from procurement.access import find_procurement

    procurement = find_procurement(reference)
    if procurement is None:
        _fail([f"No procurement with reference {reference}"])
    return procurement


@tender.command("import")
@click.argument("path")
@click.option("--replace", is_flag=True,
              help="Replace the procurement with the same reference, in one transaction.")
def import_command(path: str, replace: bool) -> None:
    """Import a tender workbook (.xlsx) as a procurement; prints its reference."""
    from flask import current_app
    from sqlalchemy.exc import InterfaceError, OperationalError

    from extensions import database_failure
    from interchange.importer import ImportRefused, import_tender
    from interchange.workbook_file import read_workbook
    from interchange.workbook_limits import limits_from_config

    parsed, errors = read_workbook(path, limits_from_config(current_app.config))
    if errors:
        _fail(errors)
    try:
        procurement = import_tender(parsed, replace=replace, actor="system")
    except ImportRefused as exc:
        _fail([exc])
    except (OperationalError, InterfaceError) as exc:  # import_tender rolled back
        _fail([database_failure(exc)])
    click.echo(procurement.reference)


@tender.command("export")
@click.argument("reference")
@click.argument("path")
def export_command(reference: str, path: str) -> None:
    """Write a procurement as a tender workbook that imports back to the same results."""
    from interchange.importer import export_tender
    from interchange.workbook_file import write_workbook

    tender = export_tender(_procurement(reference))
    try:
        write_workbook(tender, path)
    except OSError as exc:
        _fail([f"Cannot write {path}: {exc.strerror or exc}"])


@tender.command("results")
@click.argument("reference")
@click.option("--format", "format_", type=click.Choice(["json", "csv", "table"]),
              default="json", show_default=True)
def results_command(reference: str, format_: str) -> None:
    """Print a procurement's results per lot."""
    from evaluation.results.inputs import procurement_results

    procurement = _procurement(reference)
    results = procurement_results(procurement)
    if format_ == "json":
        # indented for a person at a terminal; compact for a program (json's C encoder
        # writes no indent: a 50-lot tender's 1.4 MB in a fifth of the time)
        click.echo(json.dumps(results_json(procurement.reference, results),
                              indent=2 if sys.stdout.isatty() else None))
    elif format_ == "csv":
        write_csv(results, sys.stdout)
    else:
        click.echo(results_table(procurement.reference, results))


def _number(value) -> float | None:
    return None if value is None else float(value)


def results_json(reference: str, results) -> dict:
    """The contract's JSON shape: weighted scores unrounded, price a number or null."""
    return {"reference": reference, "lots": [
        {"code": lot.code, "title": lot.title, "bids": [
            {"bidder": b.bidder, "status": b.status, "reason": b.reason, "rank": b.rank,
             "tied": b.tied, "moderated": b.moderated, "price": _number(b.price),
             "sections": {k: float(v) for k, v in b.sections.items()},
             "criteria": {k: float(v) for k, v in b.criteria.items()},
             "total": _number(b.total)} for b in lot.bids]}
        for lot in results]}


def _cell(value: str | None) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(results, out) -> None:
    """One row per bid; a column per section of any lot (empty where a lot has none)."""
    sections = list(dict.fromkeys(s for lot in results for s in lot.sections))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lot", "bidder", "status", "reason", "rank", "tied", "moderated", "price",
                     *[_cell(s) for s in sections], "total"])
    for lot in results:
        for b in lot.bids:
            writer.writerow([
                _cell(lot.code), _cell(b.bidder), b.status, _cell(b.reason),
                "" if b.rank is None else b.rank, "yes" if b.tied else "no",
                "yes" if b.moderated else "no", "" if b.price is None else f"{b.price:.2f}",
                *["" if s not in b.sections else repr(float(b.sections[s])) for s in sections],
                "" if b.total is None else repr(float(b.total))])


def results_table(reference: str, results) -> str:
    """An aligned table per lot for people: totals to two decimals, winner and robustness."""
    from procurement.formatting import score

    lines = [f"Results of {reference}"]
    for lot in results:
        header = ["Rank", "Bidder", *lot.sections, "Total", "Status"]
        rows = [[("" if b.rank is None else f"{b.rank}{'=' if b.tied else ''}"), b.bidder,
                 *[score(b.sections.get(s)) for s in lot.sections], score(b.total),
                 b.status + (f": {b.reason}" if b.reason else "")
                 + ("" if b.moderated or b.status != "ranked" else " (unmoderated)")]
                for b in lot.bids]
        numeric = set(range(2, 3 + len(lot.sections)))
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

        def line(cells):
            return "  ".join(str(c).rjust(w) if i in numeric else str(c).ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        lines += ["", f"Lot {lot.code}: {lot.title}", line(header),
                  "  ".join("-" * w for w in widths)]
        lines += [line(r) for r in rows] or ["(no bids)"]
        lines += _verdict(lot, score)
    return "\n".join(lines)


def _verdict(lot, score) -> list[str]:
    if lot.winner is None:
        return ["No winner: no bid is ranked."]
    lines = [f"Winner: {lot.winner}" + (f", by {score(lot.margin)} points over the runner-up"
                                        if lot.margin is not None else " (the only ranked bid)")]
    flip = lot.flip
    if flip is None:
        lines.append("Robustness: no change to a single consensus score would change the "
                     "winner.")
    else:
        lines.append(f"Robustness: changing {flip.bidder}'s {flip.criterion} consensus score "
                     f"from {flip.from_score:g} to {flip.to_score:g} would make "
                     f"{flip.new_winner} the winner.")
    return lines
