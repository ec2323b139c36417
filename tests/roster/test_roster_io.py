"""Roster files: YAML and CSV read into the same document, every problem reported with its line or row, and
what is written reads back equal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tipline.config import PROJECT_ROOT
from tipline.roster.io import RosterDocument, RosterFileError, dump_roster, format_for, parse_roster
from tipline.roster.models import Role
from tipline.roster.schedule import Kind

MONTREAL = ZoneInfo("America/Montreal")
EXAMPLE = PROJECT_ROOT / "ivr_scripts" / "roster.example.yaml"

VALID_YAML = """\
version: 1
timezone: America/Montreal
people:
  - code: D-1
    name: Camille Tremblay
    role: dispatcher
    languages: [fr, en]
    phone: "514 555-0101"
    email: Camille@Example.org
    rotations:
      - {days: mon-fri, start: "8h", end: 20:00}
      - {days: "sam, dim", start: "20:00", end: "08:00", from: 2026-11-02, until: 2026-12-31, every_weeks: 2}
    overrides:
      - {kind: off, start: "2026-12-24", end: "2026-12-26 08:00", note: vacances}
  - code: A-1
    name: Louise Bergeron
    role: admin
    languages: fr
"""

VALID_CSV = """\
code,name,role,languages,phone,email,entry,kind,days,start,end,from,until,every_weeks,note
D-1,Camille Tremblay,dispatcher,fr en,514 555-0101,Camille@Example.org,rotation,,mon-fri,8h,20:00,,,,
D-1,,,,,,rotation,on,"sam, dim",20:00,08:00,2026-11-02,2026-12-31,2,
D-1,,,,,,override,off,,2026-12-24,2026-12-26 08:00,,,,vacances
A-1,Louise Bergeron,admin,fr,,,,,,,,,,,
"""


def parse(text: str, fmt: str = "yaml") -> RosterDocument:
    return parse_roster(text, "csv" if fmt == "csv" else "yaml", zone=MONTREAL, zone_name="America/Montreal")


def problems_of(text: str, fmt: str = "yaml") -> list[str]:
    with pytest.raises(RosterFileError) as caught:
        parse(text, fmt)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_a_valid_file_reads_into_people_rotations_and_overrides(fmt: str) -> None:
    document = parse(VALID_YAML if fmt == "yaml" else VALID_CSV, fmt)

    camille, louise = document.people
    assert (camille.code, camille.name, camille.role, camille.languages) == (
        "D-1",
        "Camille Tremblay",
        Role.DISPATCHER,
        ("fr", "en"),
    )
    assert camille.phone == "+15145550101"
    assert camille.email == "camille@example.org"
    weekdays, weekends = camille.rotations
    assert (weekdays.days, weekdays.start, weekdays.end) == (("mon", "tue", "wed", "thu", "fri"), time(8), time(20))
    assert weekends.days == ("sat", "sun")
    assert (weekends.valid_from, weekends.valid_until, weekends.every_weeks) == (
        date(2026, 11, 2),
        date(2026, 12, 31),
        2,
    )
    (vacation,) = camille.overrides
    assert vacation.kind is Kind.OFF
    assert vacation.starts_at == datetime(2026, 12, 24, 5, tzinfo=UTC)  # local midnight, EST
    assert vacation.ends_at == datetime(2026, 12, 26, 13, tzinfo=UTC)
    assert vacation.note == "vacances"
    assert (louise.role, louise.phone, louise.rotations) == (Role.ADMIN, None, ())


def test_yaml_and_csv_of_the_same_roster_are_the_same_document() -> None:
    assert parse(VALID_YAML) == parse(VALID_CSV, "csv")


def test_every_problem_is_listed_with_its_line_in_yaml() -> None:
    text = """\
people:
  - code: D-1
    name: Bad Phone
    role: dispatcher
    languages: [fr]
    phone: "514 555"
  - code: D-2
    name: Bad Role
    role: chief
    languages: [fr]
    phone: "514 555-0102"
  - code: D-3
    name: Bad Language
    role: esup
    languages: [fr, es]
    phone: "514 555-0103"
  - code: D-4
    name: Bad Time
    role: dispatcher
    languages: [en]
    phone: "514 555-0104"
    rotations:
      - {days: daily, start: "25:00", end: "08:00"}
  - code: D-1
    name: Duplicate Code
    role: dispatcher
    languages: [en]
    phone: "514 555-0105"
"""
    problems = problems_of(text)

    assert len(problems) == 5, problems
    assert problems[0].startswith("line 2: code D-1: ") and "invalid phone number '514 555'" in problems[0]
    assert problems[1].startswith("line 7: code D-2: ") and "unknown role 'chief'" in problems[1]
    assert problems[2].startswith("line 12: code D-3: ") and "unknown language 'es'" in problems[2]
    assert problems[3].startswith("line 23: code D-4, rotation: ") and "invalid time '25:00'" in problems[3]
    assert problems[4].startswith("line 24: code: ") and "'d-1' already used (line 2)" in problems[4]
    assert "numéro de téléphone invalide" in problems[0]  # French first


def test_every_problem_is_listed_with_its_row_in_csv() -> None:
    text = """\
code,name,role,languages,phone,email,entry,kind,days,start,end,from,until,every_weeks,note
D-1,Bad Phone,dispatcher,fr,514 555,,,,,,,,,,
D-2,Bad Role,chief,fr,514 555-0102,,,,,,,,,,
D-3,Bad Language,esup,fr es,514 555-0103,,,,,,,,,,
D-4,Bad Time,dispatcher,en,514 555-0104,,rotation,,daily,8:00,8:75,,,,
D-1,Duplicate Code,dispatcher,en,514 555-0105,,,,,,,,,,
D-5,Bad Override,dispatcher,en,514 555-0106,,override,maybe,,2026-12-25 08:00,2026-12-24 08:00,,,,
"""
    problems = problems_of(text, "csv")

    assert [problem.split(":")[0] for problem in problems] == [
        "row 2",
        "row 3",
        "row 4",
        "row 5",
        "row 6",
        "row 7",
        "row 7",
    ]
    assert "invalid phone number '514 555'" in problems[0]
    assert "unknown role 'chief'" in problems[1]
    assert "unknown language 'es'" in problems[2]
    assert "invalid time '8:75'" in problems[3]
    assert "code 'D-1' already used (row 2) with another name, languages, phone" in problems[4]
    assert "unknown kind 'maybe'" in problems[5]
    assert "the end must come after the start" in problems[6]


def test_structural_problems_are_reported() -> None:
    assert problems_of("people: [\n")[0].startswith("line ")
    assert "the file lists nobody" in problems_of("people: []\n")[0]
    assert (
        "unknown key 'langauges'" in problems_of("people:\n  - {code: X, name: X, role: admin, langauges: [fr]}\n")[0]
    )
    assert "the file's time zone is not the line's" in problems_of("timezone: Europe/Paris\npeople: []\n")[0]
    assert "unknown column 'shift'" in problems_of("code,name,role,languages,phone,shift\n", "csv")[0]
    assert "missing column 'phone'" in problems_of("code,name,role,languages\n", "csv")[0]
    assert (
        "'rotations' must be a list"
        in problems_of("people:\n  - {code: X, name: X, role: admin, languages: fr, rotations: {days: daily}}\n")[0]
    )
    overlapping = "people:\n  - {code: X, name: X, role: admin, languages: fr}\n  - {code: Y, name: Y, role: admin}\n"
    assert "line 3: code Y: au moins une langue" in problems_of(overlapping)[0]


def test_a_dispatcher_needs_a_phone_and_phones_are_not_shared() -> None:
    text = """\
people:
  - {code: D-1, name: A, role: dispatcher, languages: fr}
  - {code: D-2, name: B, role: dispatcher, languages: fr, phone: "514 555-0102"}
  - {code: D-3, name: C, role: dispatcher, languages: fr, phone: "+1 (514) 555 0102"}
"""
    problems = problems_of(text)
    assert "line 2: code D-1: " in problems[0] and "'phone' is missing" in problems[0]
    assert problems[1].startswith("line 4: phone: ") and "already used (line 3)" in problems[1]


def test_semicolon_csv_from_a_french_spreadsheet_with_a_byte_order_mark() -> None:
    text = "\ufeffcode;name;role;languages;phone\nD-1;Camille Tremblay;dispatcher;fr,en;514 555-0101\n"
    (camille,) = parse(text, "csv").people
    assert camille.languages == ("fr", "en")


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_what_is_written_reads_back_equal(fmt: str) -> None:
    document = parse(VALID_YAML)
    written = dump_roster(document, "csv" if fmt == "csv" else "yaml", zone=MONTREAL, zone_name="America/Montreal")
    assert parse(written, fmt) == document


def test_the_shipped_example_is_valid(tmp_path: Path) -> None:
    document = parse(EXAMPLE.read_text(encoding="utf-8"))
    assert {person.role for person in document.people} == set(Role)
    assert format_for(str(EXAMPLE)) == "yaml"
    assert format_for("ROSTER.CSV") == "csv"


def test_the_examples_in_the_documentation_are_valid() -> None:
    doc = (PROJECT_ROOT / "docs" / "roster.md").read_text(encoding="utf-8")
    yaml_example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    csv_example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    from_yaml, from_csv = parse(yaml_example), parse(csv_example, "csv")
    assert from_yaml.people[0] == from_csv.people[0]
    assert "## Français" in doc and doc.index("## Français") < doc.index("## English")
