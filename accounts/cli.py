import sys

import click
from sqlalchemy import select

from accounts import bp
from accounts.models import ROLES, Organisation, User
from accounts.passwords import problems
from audit.services import record
from extensions import db


@bp.cli.command("create-user")
@click.argument("email")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="role code; repeatable")
@click.option("--organisation", required=True)
@click.password_option(help="12 characters or more, not a common password")
def create_user(email, name, roles, organisation, password):
    """Create a user with one or more roles."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        click.echo(f"Unknown role {', '.join(unknown)}: use one of {', '.join(ROLES)}", err=True)
        sys.exit(1)
    if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none():
        click.echo(f"A user with email {email} already exists", err=True)
        sys.exit(1)
    refusals = problems(password, email=email, name=name)
    if refusals:
        for refusal in refusals:
            click.echo(refusal, err=True)
        sys.exit(1)
    org = db.session.execute(
        select(Organisation).where(Organisation.name == organisation)).scalar_one_or_none()
    if org is None:  # a supplier's user makes a supplier's organisation (the contract)
        org = Organisation(name=organisation, kind="supplier" if "supplier" in roles else "buyer")
        db.session.add(org)
    user = User(email=email, name=name, roles=",".join(roles), organisation=org)
    user.set_password(password)
    db.session.add(user)
    record("user", email, "create", None, {"name": name, "roles": ",".join(roles),
                                           "organisation": organisation}, actor="system")
    db.session.commit()
    click.echo(f"Created {email}")
