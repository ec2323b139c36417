"""Importing and exporting the roster: the file is the whole roster, matched by code; a bad file changes
nothing; phones are stored encrypted; export then import gives the same roster; the CLI commits once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.support import TEST_DATA_KEY
from tipline.crypto import DataCipher
from tipline.roster.cli import roster
from tipline.roster.io import RosterFileError, parse_roster
from tipline.roster.models import Person, Role, Rotation, Shift
from tipline.roster.schedule import local_to_utc
from tipline.roster.services import export_roster, import_roster, on_duty
from tipline.runtime import runtime

MONTREAL = ZoneInfo("America/Montreal")

FIRST = """\
people:
  - code: D-1
    name: Camille Tremblay
    role: dispatcher
    languages: [fr, en]
    phone: "514 555-0101"
    email: camille@example.org
    rotations:
      - {days: daily, start: "08:00", end: "20:00"}
    overrides:
      - {kind: "off", start: "2026-12-24 00:00", end: "2026-12-26 00:00", note: vacances}
  - code: D-2
    name: Jordan Smith
    role: dispatcher
    languages: [en]
    phone: "514 555-0102"
    email: jordan@example.org
    rotations:
      - {days: daily, start: "20:00", end: "08:00"}
  - code: E-1
    name: Nadia Bouchard
    role: esup
    languages: [fr, en]
    phone: "514 555-0104"
    rotations:
      - {days: daily, start: "08:00", end: "08:00"}
"""

# D-2 leaves; D-1 changes role, phone and hours and takes D-2's email; S-1 arrives.
SECOND = """\
people:
  - code: D-1
    name: Camille Tremblay
    role: supervisor
    languages: [fr]
    phone: "514 555-0111"
    email: jordan@example.org
    rotations:
      - {days: mon-fri, start: "09:00", end: "17:00"}
  - code: E-1
    name: Nadia Bouchard
    role: esup
    languages: [fr, en]
    phone: "514 555-0104"
    rotations:
      - {days: daily, start: "08:00", end: "08:00"}
  - code: S-1
    name: Sophie Lavoie
    role: supervisor
    languages: [fr, en]
    phone: "514 555-0106"
"""

BAD = """\
people:
  - {code: D-1, name: Camille Tremblay, role: dispatcher, languages: [fr], phone: "514 555"}
  - {code: D-9, name: New Person, role: dispatcher, languages: [fr], phone: "514 555-0199"}
  - {code: D-3, name: Bad Role, role: captain, languages: [fr], phone: "514 555-0103"}
  - {code: D-4, name: Bad Language, role: esup, languages: [de], phone: "514 555-0105"}
  - code: D-5
    name: Bad Time
    role: dispatcher
    languages: [fr]
    phone: "514 555-0107"
    rotations: [{days: daily, start: "8:00", end: "noon"}]
  - {code: D-9, name: Duplicate, role: dispatcher, languages: [fr], phone: "514 555-0108"}
"""


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local_to_utc(datetime(year, month, day, hour, minute), MONTREAL)


def load(session: Session, cipher: DataCipher, roster_text: str, fmt: str = "yaml") -> None:
    document = parse_roster(roster_text, "csv" if fmt == "csv" else "yaml", zone=MONTREAL)
    import_roster(session, cipher, document)


def snapshot(session: Session) -> list[tuple[object, ...]]:
    people = [
        (p.code, p.name, p.role, p.languages, p.phone_hash, p.email, p.active)
        for p in session.scalars(select(Person).order_by(Person.code))
    ]
    rotations = [
        (r.person_id, r.weekdays, r.starts_local, r.ends_local)
        for r in session.scalars(select(Rotation).order_by(Rotation.id))
    ]
    shifts = [(s.person_id, s.starts_at, s.ends_at, s.kind) for s in session.scalars(select(Shift).order_by(Shift.id))]
    return [*people, *rotations, *shifts]


@pytest.fixture
def cipher(app: Flask) -> DataCipher:
    return runtime(app).cipher


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with runtime(app).db.transaction() as opened:
        yield opened


def test_import_creates_the_roster_and_stores_phones_encrypted(app: Flask, cipher: DataCipher) -> None:
    with runtime(app).db.transaction() as session:
        load(session, cipher, FIRST)

    with runtime(app).db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM people ORDER BY code")).mappings().all()
    camille = rows[0]
    assert camille["code"] == "D-1"
    assert b"5550101" not in bytes(camille["phone_enc"])
    assert all("5550101" not in str(value) for value in camille.values())
    assert camille["phone_hash"] == cipher.lookup_hash("+15145550101")
    assert cipher.decrypt_text(bytes(camille["phone_enc"])) == "+15145550101"
    assert DataCipher([TEST_DATA_KEY]).lookup_hash("+15145550101") == camille["phone_hash"]

    with runtime(app).db.transaction() as session:
        assert [p.code for p in on_duty(session, at=local(2026, 12, 1, 12), zone=MONTREAL)] == ["D-1", "E-1"]
        assert [p.code for p in on_duty(session, at=local(2026, 12, 1, 23), zone=MONTREAL)] == ["D-2", "E-1"]
        assert [p.code for p in on_duty(session, at=local(2026, 12, 24, 12), zone=MONTREAL)] == ["E-1"]


def test_reimport_matches_by_code_replaces_hours_and_deactivates_the_missing(
    session: Session, cipher: DataCipher
) -> None:
    load(session, cipher, FIRST)
    ids = {p.code: p.id for p in session.scalars(select(Person))}

    document = parse_roster(SECOND, "yaml", zone=MONTREAL)
    summary = import_roster(session, cipher, document)

    assert (summary.created, summary.updated, summary.deactivated) == (("S-1",), ("D-1", "E-1"), ("D-2",))
    people = {p.code: p for p in session.scalars(select(Person))}
    assert {code: p.id for code, p in people.items() if code != "S-1"} == ids  # same rows: history keeps them
    camille, jordan = people["D-1"], people["D-2"]
    assert (camille.role, camille.languages, camille.email) == (Role.SUPERVISOR, ["fr"], "jordan@example.org")
    assert camille.phone_hash == cipher.lookup_hash("+15145550111")
    assert (jordan.active, jordan.email) == (False, None)
    assert [
        (r.starts_local.hour, r.ends_local.hour)
        for r in session.scalars(select(Rotation).filter_by(person_id=camille.id))
    ] == [(9, 17)]
    assert session.scalars(select(Shift).filter_by(person_id=camille.id)).all() == []  # vacation replaced
    # Jordan keeps his rows but is never on duty again.
    assert session.scalars(select(Rotation).filter_by(person_id=jordan.id)).all() != []
    assert [p.code for p in on_duty(session, at=local(2026, 12, 1, 23), zone=MONTREAL)] == ["E-1"]


def test_a_bad_file_lists_every_problem_and_changes_nothing(app: Flask, cipher: DataCipher, tmp_path: Path) -> None:
    with runtime(app).db.transaction() as session:
        load(session, cipher, FIRST)
        before = snapshot(session)
    bad = tmp_path / "roster.yaml"
    bad.write_text(BAD, encoding="utf-8")

    result = app.test_cli_runner().invoke(roster, ["import", str(bad)])

    assert result.exit_code == 1
    problems = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert [problem.split(":")[0] for problem in problems] == ["line 2", "line 4", "line 5", "line 11", "line 12"]
    assert "invalid phone number '514 555'" in problems[0]
    assert "unknown role 'captain'" in problems[1]
    assert "unknown language 'de'" in problems[2]
    assert "invalid time 'noon'" in problems[3]
    assert "'d-9' already used (line 3)" in problems[4]
    assert "refused, nothing changed" in result.output
    with runtime(app).db.transaction() as session:
        assert snapshot(session) == before
        assert session.scalar(select(Person).filter_by(code="D-9")) is None


def test_a_failure_while_writing_rolls_the_whole_import_back(app: Flask, cipher: DataCipher) -> None:
    with runtime(app).db.transaction() as session:
        load(session, cipher, FIRST)
        before = snapshot(session)
    document = parse_roster(SECOND, "yaml", zone=MONTREAL)
    with pytest.raises(RuntimeError), runtime(app).db.transaction() as session:
        import_roster(session, cipher, document)
        raise RuntimeError("the disk fills up before commit")
    with runtime(app).db.transaction() as session:
        assert snapshot(session) == before


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_then_import_gives_the_same_roster(app: Flask, cipher: DataCipher, tmp_path: Path, fmt: str) -> None:
    with runtime(app).db.transaction() as session:
        load(session, cipher, FIRST)
        exported = export_roster(session, cipher)
        before = snapshot(session)
    runner = app.test_cli_runner()
    output = tmp_path / f"roster.{fmt}"

    exported_run = runner.invoke(roster, ["export", "--output", str(output)])
    assert exported_run.exit_code == 0, exported_run.output
    assert output.stat().st_mode & 0o077 == 0  # staff phone numbers: owner-only file
    imported_run = runner.invoke(roster, ["import", str(output)])
    assert imported_run.exit_code == 0, imported_run.output
    assert "0 created, 3 updated, 0 deactivated" in imported_run.output

    with runtime(app).db.transaction() as session:
        assert snapshot(session) == before
        assert export_roster(session, cipher) == exported
    if fmt == "csv":
        assert output.read_text(encoding="utf-8").startswith("code,name,role,languages,phone,email,entry")


def test_cli_imports_csv_and_exports_yaml_to_stdout(app: Flask, tmp_path: Path) -> None:
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text(
        "code,name,role,languages,phone,entry,days,start,end\n"
        "D-1,Camille Tremblay,dispatcher,fr en,514 555-0101,rotation,daily,08:00,20:00\n"
        "E-1,Nadia Bouchard,esup,fr,514 555-0104,rotation,daily,20:00,08:00\n",
        encoding="utf-8",
    )
    runner: FlaskCliRunner = app.test_cli_runner()

    dry = runner.invoke(roster, ["import", "--dry-run", str(csv_file)])
    assert dry.exit_code == 0 and "dry run" in dry.output
    with runtime(app).db.transaction() as session:
        assert session.scalars(select(Person)).all() == []

    result = runner.invoke(roster, ["import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output

    exported = runner.invoke(roster, ["export"])
    assert exported.exit_code == 0
    assert "code: D-1" in exported.output and 'phone: "+15145550101"' in exported.output
    assert "timezone: America/Montreal" in exported.output
    as_csv = runner.invoke(roster, ["export", "--format", "csv"])
    assert "E-1,Nadia Bouchard,esup,fr,+15145550104,,rotation,on,daily,20:00,08:00" in as_csv.output


@pytest.mark.sqlite
def test_import_and_on_duty_on_the_embedded_sqlite(sqlite_app: Flask, tmp_path: Path) -> None:
    roster_file = tmp_path / "roster.yaml"
    roster_file.write_text(FIRST, encoding="utf-8")
    runner = sqlite_app.test_cli_runner()

    assert runner.invoke(roster, ["import", str(roster_file)]).exit_code == 0
    roster_file.write_text(SECOND, encoding="utf-8")
    assert runner.invoke(roster, ["import", str(roster_file)]).exit_code == 0
    roster_file.write_text(BAD, encoding="utf-8")
    assert runner.invoke(roster, ["import", str(roster_file)]).exit_code == 1

    with runtime(sqlite_app).db.transaction() as session:
        people = {p.code: p for p in session.scalars(select(Person))}
        assert (people["D-2"].active, people["S-1"].active) == (False, True)
        noon_on_monday = local(2026, 11, 30, 12)
        assert [p.code for p in on_duty(session, at=noon_on_monday, zone=MONTREAL)] == ["D-1", "E-1"]
        assert [
            p.code for p in on_duty(session, at=noon_on_monday, role=Role.SUPERVISOR, language="fr", zone=MONTREAL)
        ] == ["D-1"]
        with pytest.raises(RosterFileError):
            parse_roster(BAD, "yaml", zone=MONTREAL)
