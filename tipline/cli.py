"""The ``tipline`` command line (also ``flask --app tipline``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from tipline.auth.cli import users
from tipline.log import configure_logging
from tipline.roster.cli import roster
from tipline.runtime import runtime

db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: every head)."""
    from tipline.migrate import upgrade

    upgrade(runtime().settings.database_url, revision)
    click.echo(f"database upgraded to {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' empties the schema)."""
    from tipline.migrate import downgrade

    downgrade(runtime().settings.database_url, revision)
    click.echo(f"database downgraded to {revision}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(burst: bool) -> None:
    """Run jobs: an rq worker with its scheduler (needs REDIS_URL)."""
    from workers.worker import run_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging()
    if not runtime(app).settings.redis_url:
        raise click.UsageError("REDIS_URL is not set: the embedded default runs jobs inside `tipline run`.")
    run_worker(app, burst=burst)


def print_demo() -> None:
    """The demo roster and console logins (embedded default only: fictional people and numbers)."""
    from tipline.seed import DEMO_LOGINS, DEMO_PASSWORD, DEMO_ROSTER

    click.echo("Demo roster (fictional numbers; every day, local time):")
    for person in DEMO_ROSTER:
        click.echo(
            f"  {person.role:<11} {person.name:<18} {','.join(person.languages):<6} "
            f"{person.phone}  {person.shift or '—'}"
        )
    by_code = {person.code: person for person in DEMO_ROSTER}
    click.echo(f"Demo console logins (password {DEMO_PASSWORD}):")
    for code, username in DEMO_LOGINS:
        click.echo(f"  {username:<8} {by_code[code].role}")


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: PORT, else 5000.")
def run_command(host: str, port: int | None) -> None:
    """The embedded default: migrate, seed demo data when empty, serve web and jobs in one process."""
    from werkzeug.serving import run_simple

    from tipline.migrate import upgrade
    from tipline.seed import seed_demo, seed_demo_logins
    from workers.dispatch import ThreadDispatcher

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging()
    rt = runtime(app)
    upgrade(rt.settings.database_url)
    if not rt.settings.is_production:
        with rt.db.transaction() as session:
            seed_demo(session, rt.cipher, now=rt.clock.now())
            seed_demo_logins(session, now=rt.clock.now())
        print_demo()
    if isinstance(rt.dispatcher, ThreadDispatcher):
        rt.dispatcher.start()
    listen_port = port or rt.settings.port
    base = f"http://{host}:{listen_port}"
    click.echo(
        f"\ntipline is serving on {base}\n"
        f"  console:       {base}/console/   (French; English one click away)\n"
        f"  health:        {base}/healthz   ready: {base}/readyz\n"
        f"  call the line: tipline simulate call --url {base}\n"
        f"  text the line: tipline simulate sms --url {base}\n"
        f"  Twilio webhooks: {base}/twilio/voice and {base}/twilio/sms (signed with TWILIO_AUTH_TOKEN)\n"
    )
    run_simple(host, listen_port, app, threaded=True, use_reloader=False)


@click.group("scripts")
def scripts_cli() -> None:
    """The line's scripts in ivr_scripts/ (voice, SMS, triage, routing, resources)."""


@scripts_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def scripts_check(directory: Path | None) -> None:
    """Check every script as the app does at start-up; exit 1 and name each problem if any."""
    from tipline.config import Settings
    from tipline.ivr.scripts import check_all

    folder = directory or Path(Settings.from_env().scripts_dir)
    problems = check_all(folder)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{folder}: every script is valid (voice, SMS, triage, routing, resources).")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(run_command)
    app.cli.add_command(roster)
    app.cli.add_command(users)


def _app_or_exit() -> Flask:
    """The app, or a clear message (not a traceback) when the configuration or a script is wrong."""
    from tipline import create_app
    from tipline.config import ConfigError
    from tipline.flows import ScriptError

    try:
        return create_app()
    except (ConfigError, ScriptError) as error:
        click.echo(f"tipline: {error}", err=True)
        raise SystemExit(2) from None


def main() -> None:
    from tipline.simulate.cli import simulate

    group = FlaskGroup(create_app=_app_or_exit, add_default_commands=False, help="tipline — the line's backend.")
    group.add_command(simulate)  # the terminal phone only speaks HTTP: it works even when the app cannot start
    group.add_command(scripts_cli)  # checks the scripts without starting the app (which refuses broken ones)
    sys.exit(group.main())


if __name__ == "__main__":
    main()
