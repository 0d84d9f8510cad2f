import sys

import click

from audit import bp
from audit.services import verify


@bp.cli.command("verify")
def verify_command():
    """Check the hash chain of the audit records, and its anchor (docs/audit.md)."""
    try:
        count, problem = verify()
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        detail = (str(exc).strip().splitlines() or [""])[0]
        click.echo(f"audit verify could not finish: {type(exc).__name__}: {detail}", err=True)
        sys.exit(2)
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"{count} records verified")
