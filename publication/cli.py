"""`notice draft|publish|list` and `ocds export`, as shared/spec/publication-and-bids.md says.

Errors go to standard error, one line each, with exit status 1, and change nothing.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from extensions import db
from procurement.access import find_procurement
from publication import bp, ocds_cli, opendata, service


def _fail(*messages: str):
    db.session.rollback()
    for message in messages:
        click.echo(" ".join(str(message).split()), err=True)
    sys.exit(1)


def _procurement(reference: str):
    p = find_procurement(reference)
    if p is None:
        _fail(f"No procurement with reference {reference}")
    return p


@bp.cli.command("draft")
@click.argument("reference")
@click.argument("kind")
@click.option("--supersedes", type=int, metavar="ID", help="the published notice it corrects")
@click.option("--call-for-competition", is_flag=True,
              help="a light-touch PIN that is the call for competition (PCR 2015 reg. 75)")
def draft_command(reference, kind, supersedes, call_for_competition):
    """Build a draft notice of KIND from the procurement's records; print its id."""
    p = _procurement(reference)
    notice, refusal = service.draft(p, kind, supersedes, call_for_competition, actor="cli")
    if refusal:
        _fail(refusal)
    db.session.commit()
    click.echo(notice.id)


@bp.cli.command("publish")
@click.argument("reference")
@click.argument("notice_id", type=int)
def publish_command(reference, notice_id):
    """Publish the draft notice now (server time); it is then never changed."""
    p = _procurement(reference)
    notice = service.notice_of(p, notice_id)
    if notice is None:
        _fail(f"{reference} has no notice {notice_id}")
    problems = service.publish(p, notice, actor="cli")
    if problems:
        _fail(*problems)
    db.session.commit()
    click.echo(f"Published notice {notice.id} ({notice.kind}) at "
               f"{notice.published_at.isoformat(timespec='seconds')}Z: {notice.ocds_release_id}")


@bp.cli.command("list")
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
def list_command(reference, fmt):
    """Print the procurement's notices, oldest first."""
    rows = service.list_json(_procurement(reference))
    if fmt == "json":
        click.echo(json.dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['id']:>5}  {r['kind']:<16} {r['state']:<10} {r['published_at'] or '-':<28}"
                   f" {r['supersedes'] or '-':>5}  {r['ocds_release_id'] or ''}")


@ocds_cli.command("export")
@click.argument("reference")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_command(reference, path: Path):
    """Write the procurement's OCDS 1.1 release package (JSON) to PATH."""
    p = _procurement(reference)
    package = opendata.package_for(p)
    if package is None:
        _fail(f"{reference} has no published notice: there is no open data to export yet")
    if not path.parent.exists():
        _fail(f"No folder {path.parent} to write {path.name} in")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(package, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"Wrote {len(package['releases'])} release(s) of {package['releases'][0]['ocid']} "
               f"to {path}")
