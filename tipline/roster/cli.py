"""``tipline roster import FILE`` and ``tipline roster export``: the whole roster as one YAML or CSV file."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup

from tipline.roster.io import Format, RosterFileError, dump_roster, format_for, parse_roster
from tipline.roster.services import export_roster, import_roster
from tipline.runtime import runtime

roster = AppGroup(
    "roster",
    help="Tableau de service : importer, exporter (docs/roster.md). / Duty roster: import, export.",
)

FORMATS = click.Choice(["yaml", "csv"])


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default=None, help="Default: from the file name (.csv, else yaml).")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; change nothing.")
def import_command(file: Path, fmt: Format | None, dry_run: bool) -> None:
    """Replace the roster with FILE. People missing from FILE are deactivated; a file with any problem is
    refused whole, every problem listed."""
    rt = runtime()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException("le fichier n'est pas en UTF-8 / the file is not UTF-8") from error
    try:
        document = parse_roster(
            text, fmt or format_for(file.name), zone=rt.settings.zone, zone_name=rt.settings.timezone
        )
    except RosterFileError as error:
        click.echo(f"{file}: refusé, rien n'a changé / refused, nothing changed ({len(error.problems)}):", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    with rt.db.transaction() as session:
        summary = import_roster(session, rt.cipher, document)
        if dry_run:
            session.rollback()
    click.echo(
        f"{len(document.people)} people: {len(summary.created)} created, {len(summary.updated)} updated, "
        f"{len(summary.deactivated)} deactivated" + (" (dry run: nothing saved)" if dry_run else "")
    )
    for code in summary.created:
        click.echo(f"  + {code}")
    for code in summary.deactivated:
        click.echo(f"  - {code} (deactivated)")


@roster.command("export")
@click.option("--format", "fmt", type=FORMATS, default=None, help="Default: from --output's name, else yaml.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout.")
def export_command(fmt: Format | None, output: Path | None) -> None:
    """Write the active roster (with phone numbers: personal data) as YAML or CSV."""
    rt = runtime()
    chosen: Format = fmt or (format_for(output.name) if output else "yaml")
    with rt.db.transaction() as session:
        document = export_roster(session, rt.cipher)
    text = dump_roster(document, chosen, zone=rt.settings.zone, zone_name=rt.settings.timezone)
    if output is None:
        click.echo(text, nl=False)
        return
    # Owner-only from the first byte: the file holds staff phone numbers.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    click.echo(f"{len(document.people)} people written to {output}", err=True)
