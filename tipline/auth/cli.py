"""``tipline users``: API tokens for integrations (console logins come with the console)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tipline.auth.tokens import issue_token
from tipline.roster.models import Person
from tipline.runtime import runtime

users = AppGroup("users", help="Staff accounts and API tokens.")


@users.command("token")
@click.argument("code")
@click.option("--name", default="integration", show_default=True, help="What the token is for.")
def create_token(code: str, name: str) -> None:
    """Issue an API token for the person with roster CODE (shown once)."""
    rt = runtime()
    with rt.db.transaction() as session:
        person = session.scalar(select(Person).where(Person.code == code, Person.active))
        if person is None:
            raise click.UsageError(f"no active person with code {code!r}")
        token = issue_token(session, person, name=name)
    click.echo(token)
