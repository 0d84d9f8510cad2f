"""`decision-note send`, `envelope` and `status` (spec/integrations.md).

Errors go to standard error with a non-zero exit status and change nothing (a refused
`send` from the command line is therefore not written to the audit trail; the browser's
refusals are).
"""
from __future__ import annotations

import json

import click

from decisions import bp
from decisions.signoff.docusign import EnvelopeError
from decisions.signoff.service import SigningError, envelope_json, send, status
from extensions import database_failure, db

ACTOR = "system"


def _procurement(reference: str):
    from procurement.access import find_procurement

    procurement = find_procurement(reference)
    if procurement is None:
        raise click.ClickException(f"No procurement with reference {reference}")
    return procurement


@bp.cli.command("send")
@click.argument("reference")
def send_command(reference):
    """Freeze the note and send it for signature; prints the envelope id first."""
    procurement = _procurement(reference)
    try:
        version = send(procurement, actor=ACTOR)
        db.session.commit()
    except (SigningError, EnvelopeError) as e:  # refused, or DocuSign did not create it
        db.session.rollback()
        raise click.ClickException(e.message) from None
    except Exception as e:  # the network or the database failed: nothing is kept
        db.session.rollback()
        detail = database_failure(e) or (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise click.ClickException(f"The note was not sent: {detail}") from None
    note = version.note
    click.echo(version.envelope_id)
    click.echo(f"Decision {note.decision_number} version {version.version} sent for signature "
               f"({(version.envelope or {}).get('mode', 'local')} envelope)")
    click.echo(f"PDF SHA-256 {version.pdf_sha256}")
    click.echo(f"Snapshot SHA-256 {version.snapshot_sha256}")


@bp.cli.command("envelope")
@click.argument("reference")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def envelope_command(reference, path):
    """Write the DocuSign envelope definition (JSON) to PATH ("-" for standard output)."""
    procurement = _procurement(reference)
    definition = envelope_json(procurement)
    db.session.rollback()  # building a preview must not create or change anything
    text = json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
    if path == "-":
        click.echo(text, nl=False)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        signers = (definition.get("recipients") or {}).get("signers") or []
        click.echo(f"Envelope definition with {len(signers)} signers written to {path}")


@bp.cli.command("status")
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def status_command(reference, fmt):
    """The note's state, envelope, PDF hash, staleness and signatures."""
    procurement = _procurement(reference)
    info = status(procurement)
    db.session.rollback()
    if fmt == "json":
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo(f"{info['reference']}: {info['state']}"
               + (f", decision {info['decision_number']}" if info["decision_number"] else ""))
    if info["envelope_id"]:
        click.echo(f"Envelope {info['envelope_id']}, PDF SHA-256 {info['pdf_sha256']}")
    if info["stale"]:
        click.echo("STALE: the data the note was built from changed after it was sent")
    for s in info["signatures"]:
        click.echo(f"  {s['role']:<20} {s['name']:<30} {s['signed_at'] or 'not signed'}")
