import sys

import click

from audit import bp
from audit.services import verify


@bp.cli.command("verify")
def verify_command():
    """Check the hash chain of the audit records."""
    count, problem = verify()
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"{count} records verified")
