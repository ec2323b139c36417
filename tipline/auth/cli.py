"""``tipline users``: console logins and API tokens for integrations."""

from __future__ import annotations

import sys

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


@users.command("create")
@click.argument("code")
@click.option("--username", default=None, help="Console login name (default: CODE in lower case).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else prompt).")
def create_user(code: str, username: str | None, password_stdin: bool) -> None:
    """Give the person with roster CODE a console login (or a new password, which ends their sessions)."""
    from tipline.auth.logins import PasswordTooShortError, create_login

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mot de passe / password", hide_input=True, confirmation_prompt=True)
    rt = runtime()
    with rt.db.transaction() as session:
        person = session.scalar(select(Person).where(Person.code == code, Person.active))
        if person is None:
            raise click.UsageError(f"no active person with code {code!r}")
        try:
            login = create_login(session, person, username=username or code, password=password, now=rt.clock.now())
        except PasswordTooShortError as error:
            raise click.UsageError(str(error)) from None
        click.echo(f"{login.username}: console login for {person.code} ({person.role})")
