"""Roster files (``docs/roster.md``): read YAML or CSV into a ``RosterDocument``, write one back out.

No database here. Reading checks everything and reports every problem with its line (YAML) or row (CSV)
number, in French then English; a file with any problem yields no document at all. Phones come out in E.164,
one-off shifts in UTC (a local time without an offset is read in the line's zone, as ``schedule`` reads it).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any, Literal

import phonenumbers
import yaml

from tipline.roster.models import LANGUAGES, Role
from tipline.roster.schedule import WEEKDAYS, Kind, local_to_utc, utc_to_local_text

Format = Literal["yaml", "csv"]
FORMAT_VERSION = 1
DEFAULT_REGION = "CA"

PERSON_FIELDS = ("code", "name", "role", "languages", "phone", "email")
ROTATION_FIELDS = ("days", "start", "end", "from", "until", "every_weeks", "kind")
OVERRIDE_FIELDS = ("kind", "start", "end", "note")
SCHEDULE_COLUMNS = ("kind", "days", "start", "end", "from", "until", "every_weeks", "note")
CSV_COLUMNS = (*PERSON_FIELDS, "entry", *SCHEDULE_COLUMNS)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TIME_PATTERN = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)$")
DAY_NAMES = {
    **{name: index for index, name in enumerate(WEEKDAYS)},
    **{name: index for index, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{name: index for index, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday"))},
    "saturday": 5,
    "sunday": 6,
    **{name: index for index, name in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi"))},
    "samedi": 5,
    "dimanche": 6,
}
DAY_GROUPS = {
    "daily": range(7),
    "quotidien": range(7),
    "weekdays": range(5),
    "semaine": range(5),
    "weekends": range(5, 7),
    "weekend": range(5, 7),
    "fin-de-semaine": range(5, 7),
}
EMPTY = {"", "~", "null"}


@dataclass(frozen=True)
class RotationSpec:
    days: tuple[str, ...]
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None
    every_weeks: int = 1
    kind: Kind = Kind.ON


@dataclass(frozen=True)
class OverrideSpec:
    starts_at: datetime  # UTC
    ends_at: datetime
    kind: Kind = Kind.ON
    note: str | None = None


@dataclass(frozen=True)
class PersonSpec:
    code: str
    name: str
    role: Role
    languages: tuple[str, ...]
    phone: str | None  # E.164
    email: str | None = None
    rotations: tuple[RotationSpec, ...] = ()
    overrides: tuple[OverrideSpec, ...] = ()


@dataclass(frozen=True)
class RosterDocument:
    people: tuple[PersonSpec, ...]


@dataclass(frozen=True)
class RosterProblem:
    where: str  # "line 12" (YAML) or "row 4" (CSV)
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RosterFileError(ValueError):
    """The file is refused whole; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: Sequence[RosterProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class _Record:
    """One person, rotation or one-off as read from a file, before checking: text values and where."""

    where: str
    values: dict[str, Any]
    rotations: list[_Record] = field(default_factory=list)
    overrides: list[_Record] = field(default_factory=list)


def _say(fr: str, en: str) -> str:
    return f"{fr} / {en}"


# Reading -----------------------------------------------------------------------------------------------------


def format_for(path: str) -> Format:
    """The format a file name implies (``.csv`` is CSV, anything else YAML)."""
    return "csv" if path.lower().endswith(".csv") else "yaml"


def parse_roster(text: str, fmt: Format, *, zone: tzinfo, zone_name: str | None = None) -> RosterDocument:
    """Read and check a whole roster file; raise ``RosterFileError`` listing every problem, in file order.

    ``zone_name``, when given, must match the file's ``timezone`` (YAML) so times are not misread.
    """
    problems: list[RosterProblem] = []
    records = _read_csv(text, problems) if fmt == "csv" else _read_yaml(text, zone_name=zone_name)
    try:
        document = _check(records, zone=zone)
    except RosterFileError as error:
        problems += error.problems
    if problems:
        raise RosterFileError(sorted(problems, key=_position))
    return document


def _position(problem: RosterProblem) -> int:
    number = problem.where.rsplit(" ", 1)[-1]
    return int(number) if number.isdigit() else 0


def _read_yaml(text: str, *, zone_name: str | None) -> list[_Record]:
    try:
        # BaseLoader keeps every scalar as text: YAML 1.1 would read `on` as true and `20:00` as 1200.
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "line ?"
        detail = getattr(error, "problem", None) or str(error)
        raise RosterFileError(
            [RosterProblem(where, _say("YAML illisible", "unreadable YAML") + f" ({detail})")]
        ) from None
    if root is None:
        raise RosterFileError([RosterProblem("line 1", _say("fichier vide", "empty file"))])
    people_node: yaml.Node | None = root
    problems: list[RosterProblem] = []
    if isinstance(root, yaml.MappingNode):
        top = {str(_plain(key)): value for key, value in root.value}
        for key in sorted(set(top) - {"version", "timezone", "people"}):
            problems.append(RosterProblem(_line(top[key]), _say(f"clé inconnue « {key} »", f"unknown key '{key}'")))
        if "version" in top and _plain(top["version"]) != str(FORMAT_VERSION):
            problems.append(
                RosterProblem(_line(top["version"]), _say("version non prise en charge", "unsupported version"))
            )
        if "timezone" in top and zone_name is not None and _plain(top["timezone"]) != zone_name:
            problems.append(
                RosterProblem(
                    _line(top["timezone"]),
                    _say(
                        f"le fuseau du fichier n'est pas celui de la ligne ({zone_name})",
                        f"the file's time zone is not the line's ({zone_name})",
                    ),
                )
            )
        people_node = top.get("people")
    if not isinstance(people_node, yaml.SequenceNode):
        where = _line(people_node) if people_node is not None else "line 1"
        problems.append(RosterProblem(where, _say("« people » doit être une liste", "'people' must be a list")))
        raise RosterFileError(problems)
    if problems:
        raise RosterFileError(problems)
    records = []
    for node in people_node.value:
        values = _plain(node)
        record = _Record(_line(node), values if isinstance(values, dict) else {"": values})
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if _plain(key) in ("rotations", "overrides") and isinstance(value, yaml.SequenceNode):
                    items = [_Record(_line(item), _as_dict(_plain(item))) for item in value.value]
                    setattr(record, str(_plain(key)), items)
                    record.values.pop(str(_plain(key)))
        records.append(record)
    return records


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_plain(key)): _plain(value) for key, value in node.value}
    return node.value


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"": value}


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _read_csv(text: str, problems: list[RosterProblem]) -> list[_Record]:
    """People grouped by code (a person's rows may repeat their columns or leave them empty); problems about
    the rows themselves go to ``problems``, a broken header raises at once."""
    text = text.removeprefix("\ufeff")  # spreadsheets write a byte-order mark
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","  # French-locale spreadsheets
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, restkey="\x00extra")
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    header_problems = [
        RosterProblem("row 1", _say(f"colonne inconnue « {name} »", f"unknown column '{name}'"))
        for name in columns
        if name not in CSV_COLUMNS
    ]
    header_problems += [
        RosterProblem("row 1", _say(f"colonne manquante « {name} »", f"missing column '{name}'"))
        for name in ("code", "name", "role", "languages", "phone")
        if name not in columns
    ]
    if header_problems:
        raise RosterFileError(header_problems)
    by_code: dict[str, _Record] = {}
    records: list[_Record] = []
    for raw in reader:
        where = f"row {reader.line_num}"
        if raw.get("\x00extra"):
            problems.append(RosterProblem(where, _say("trop de colonnes", "too many columns")))
        row = {name.strip().lower(): (value or "").strip() for name, value in raw.items() if name != "\x00extra"}
        if not any(row.values()):
            continue
        code = row.get("code", "")
        record = by_code.get(code) if code else None
        if record is None:
            record = _Record(where, {name: row.get(name, "") for name in PERSON_FIELDS})
            records.append(record)
            if code:
                by_code[code] = record
        else:
            differing = [
                name for name in PERSON_FIELDS if row.get(name) and record.values.get(name) not in ("", row[name])
            ]
            if differing:
                fields_text = ", ".join(differing)
                problems.append(
                    RosterProblem(
                        where,
                        _say(
                            f"code « {code} » déjà utilisé ({record.where}), autre {fields_text}",
                            f"code '{code}' already used ({record.where}) with another {fields_text}",
                        ),
                    )
                )
            for name in PERSON_FIELDS:
                if row.get(name) and not record.values.get(name):
                    record.values[name] = row[name]
        entry = row.get("entry", "").lower()
        # Only the filled schedule columns: one that does not belong to the entry is then an unknown key.
        schedule = {name: row[name] for name in SCHEDULE_COLUMNS if row.get(name)}
        if entry == "rotation":
            record.rotations.append(_Record(where, schedule))
        elif entry == "override":
            record.overrides.append(_Record(where, schedule))
        elif not entry and schedule:
            problems.append(
                RosterProblem(
                    where,
                    _say(
                        "horaire sans « entry » (rotation ou override)",
                        "schedule columns filled without 'entry' (rotation or override)",
                    ),
                )
            )
        elif entry:
            problems.append(
                RosterProblem(
                    where,
                    _say(
                        f"entry « {entry} » inconnue (rotation, override ou vide)",
                        f"unknown entry '{entry}' (rotation, override or empty)",
                    ),
                )
            )
    return records


# Checking ----------------------------------------------------------------------------------------------------


class _Checker:
    """Reads typed values from records, noting every problem instead of stopping at the first."""

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        self.problems: list[RosterProblem] = []

    def problem(self, record: _Record, label: str, fr: str, en: str) -> None:
        self.problems.append(RosterProblem(record.where, f"{label}: {_say(fr, en)}"))

    def text(self, record: _Record, label: str, name: str, *, required: bool = False) -> str | None:
        value = record.values.get(name)
        if isinstance(value, list | dict):
            self.problem(record, label, f"« {name} » doit être un texte", f"'{name}' must be text")
            return None
        text = (value or "").strip()
        if text in EMPTY:
            if required:
                self.problem(record, label, f"« {name} » manquant", f"'{name}' is missing")
            return None
        return text

    def unknown_keys(self, record: _Record, label: str, allowed: Iterable[str]) -> None:
        for key in sorted(set(record.values) - set(allowed)):
            self.problem(record, label, f"clé inconnue « {key} »", f"unknown key '{key}'")

    def person(self, record: _Record) -> PersonSpec | None:
        before = len(self.problems)
        code = self.text(record, "person", "code", required=True)
        label = f"code {code}" if code else "person"
        self.unknown_keys(record, label, (*PERSON_FIELDS, "rotations", "overrides"))
        for listed in ("rotations", "overrides"):
            if listed in record.values:  # left here by the reader only when it is not a list
                self.problem(record, label, f"« {listed} » doit être une liste", f"'{listed}' must be a list")
        if code and not CODE_PATTERN.match(code):
            self.problem(
                record, label, "code: lettres, chiffres, . _ -, 32 au plus", "code: letters, digits, . _ -, 32 at most"
            )
        name = self.text(record, label, "name", required=True)
        if name and len(name) > 120:
            self.problem(record, label, "nom trop long (120 au plus)", "name too long (120 at most)")
        role = self.role(record, label)
        languages = self.languages(record, label)
        phone = self.phone(record, label, required=role is not Role.ADMIN)
        email = self.text(record, label, "email")
        if email is not None:
            email = email.lower()
            if len(email) > 254 or not EMAIL_PATTERN.match(email):
                self.problem(record, label, f"courriel invalide « {email} »", f"invalid email '{email}'")
        rotations = [self.rotation(item, label) for item in record.rotations]
        overrides = [self.override(item, label) for item in record.overrides]
        if len(self.problems) > before or code is None or name is None or role is None:
            return None
        return PersonSpec(
            code=code,
            name=name,
            role=role,
            languages=languages,
            phone=phone,
            email=email,
            rotations=tuple(rotation for rotation in rotations if rotation is not None),
            overrides=tuple(override for override in overrides if override is not None),
        )

    def role(self, record: _Record, label: str) -> Role | None:
        raw = self.text(record, label, "role", required=True)
        if raw is None:
            return None
        try:
            return Role(raw.lower())
        except ValueError:
            allowed = ", ".join(Role)
            self.problem(record, label, f"rôle inconnu « {raw} » ({allowed})", f"unknown role '{raw}' ({allowed})")
            return None

    def languages(self, record: _Record, label: str) -> tuple[str, ...]:
        value = record.values.get("languages")
        items = value if isinstance(value, list) else re.split(r"[\s,;|/]+", str(value or ""))
        found: list[str] = []
        for item in (str(entry).strip().lower() for entry in items):
            if not item:
                continue
            if item not in LANGUAGES:
                self.problem(
                    record, label, f"langue inconnue « {item} » (fr, en)", f"unknown language '{item}' (fr, en)"
                )
            elif item not in found:
                found.append(item)
        if not found and not any(str(entry).strip() for entry in items):
            self.problem(record, label, "au moins une langue (fr, en)", "at least one language (fr, en)")
        return tuple(found)

    def phone(self, record: _Record, label: str, *, required: bool) -> str | None:
        raw = self.text(record, label, "phone", required=required)
        if raw is None:
            return None
        try:
            number = phonenumbers.parse(raw, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.problem(record, label, f"numéro de téléphone invalide « {raw} »", f"invalid phone number '{raw}'")
            return None
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))

    def clock_time(self, record: _Record, label: str, name: str) -> time | None:
        raw = self.text(record, label, name, required=True)
        if raw is None:
            return None
        match = TIME_PATTERN.match(raw)
        hours, minutes = (int(match.group(1)), int(match.group(2) or 0)) if match else (-1, -1)
        if (hours, minutes) == (24, 0):
            return time(0, 0)
        if not (0 <= hours < 24 and 0 <= minutes < 60):
            self.problem(record, label, f"heure invalide « {raw} » (HH:MM)", f"invalid time '{raw}' (HH:MM)")
            return None
        return time(hours, minutes)

    def day(self, record: _Record, label: str, name: str) -> date | None:
        raw = self.text(record, label, name)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problem(record, label, f"date invalide « {raw} » (AAAA-MM-JJ)", f"invalid date '{raw}' (YYYY-MM-DD)")
            return None

    def kind(self, record: _Record, label: str) -> Kind | None:
        raw = (self.text(record, label, "kind") or "on").lower()
        if raw not in {kind.value for kind in Kind}:
            self.problem(record, label, f"kind « {raw} » inconnu (on, off)", f"unknown kind '{raw}' (on, off)")
            return None
        return Kind(raw)

    def weekdays(self, record: _Record, label: str) -> tuple[str, ...]:
        value = record.values.get("days")
        items = value if isinstance(value, list) else re.split(r"[\s,;]+", str(value or ""))
        chosen: set[int] = set()
        for item in (str(entry).strip().lower() for entry in items):
            if not item:
                continue
            if item in DAY_GROUPS:
                chosen.update(DAY_GROUPS[item])
            elif item in DAY_NAMES:
                chosen.add(DAY_NAMES[item])
            elif "-" in item and all(part in DAY_NAMES for part in item.split("-", 1)):
                first, last = (DAY_NAMES[part] for part in item.split("-", 1))
                chosen.update(day % 7 for day in range(first, first + (last - first) % 7 + 1))
            else:
                self.problem(record, label, f"jour inconnu « {item} »", f"unknown day '{item}'")
        if not chosen and not any(str(entry).strip() for entry in items):
            self.problem(record, label, "« days » manquant", "'days' is missing")
        return tuple(WEEKDAYS[day] for day in sorted(chosen))

    def rotation(self, record: _Record, owner: str) -> RotationSpec | None:
        label = f"{owner}, rotation"
        before = len(self.problems)
        self.unknown_keys(record, label, ROTATION_FIELDS)
        days = self.weekdays(record, label)
        start = self.clock_time(record, label, "start")
        end = self.clock_time(record, label, "end")
        valid_from = self.day(record, label, "from")
        valid_until = self.day(record, label, "until")
        kind = self.kind(record, label)
        every_raw = self.text(record, label, "every_weeks") or "1"
        every_weeks = int(every_raw) if every_raw.isdigit() else 0
        if not 1 <= every_weeks <= 52:
            self.problem(record, label, "every_weeks: entier de 1 à 52", "every_weeks: a whole number 1 to 52")
        elif every_weeks > 1 and valid_from is None:
            self.problem(record, label, "every_weeks > 1 exige « from »", "every_weeks > 1 needs 'from'")
        if valid_from and valid_until and valid_until < valid_from:
            self.problem(record, label, "« until » avant « from »", "'until' is before 'from'")
        if len(self.problems) > before or start is None or end is None or kind is None:
            return None
        return RotationSpec(days, start, end, valid_from, valid_until, every_weeks, kind)

    def moment(self, record: _Record, label: str, name: str) -> datetime | None:
        raw = self.text(record, label, name, required=True)
        if raw is None:
            return None
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            self.problem(
                record, label, f"date et heure invalides « {raw} »", f"invalid date and time '{raw}' (YYYY-MM-DD HH:MM)"
            )
            return None
        return local_to_utc(parsed, self.zone) if self.zone is not None else parsed

    def override(self, record: _Record, owner: str) -> OverrideSpec | None:
        label = f"{owner}, override"
        before = len(self.problems)
        self.unknown_keys(record, label, OVERRIDE_FIELDS)
        kind = self.kind(record, label)
        starts_at = self.moment(record, label, "start")
        ends_at = self.moment(record, label, "end")
        note = self.text(record, label, "note")
        if note and len(note) > 200:
            self.problem(record, label, "note trop longue (200 au plus)", "note too long (200 at most)")
        if starts_at and ends_at and self.zone is not None and ends_at <= starts_at:
            self.problem(record, label, "la fin doit suivre le début", "the end must come after the start")
        if len(self.problems) > before or kind is None or starts_at is None or ends_at is None:
            return None
        return OverrideSpec(starts_at, ends_at, kind, note)


def _check(records: list[_Record], *, zone: tzinfo | None) -> RosterDocument:
    checker = _Checker(zone)
    people: list[PersonSpec] = []
    seen: dict[tuple[str, str], str] = {}
    for record in records:
        spec = checker.person(record)
        for name in ("code", "phone", "email"):
            key = str(record.values.get(name) or "").strip()
            if name == "phone" and spec is not None:
                key = spec.phone or ""
            if not key or key in EMPTY:
                continue
            key = key.lower() if name in ("code", "email") else key
            first = seen.setdefault((name, key), record.where)
            if first != record.where:
                checker.problem(record, name, f"« {key} » déjà utilisé ({first})", f"'{key}' already used ({first})")
        if spec is not None:
            people.append(spec)
    if not records:
        checker.problems.append(RosterProblem("line 1", _say("le fichier ne nomme personne", "the file lists nobody")))
    if checker.problems:
        raise RosterFileError(checker.problems)
    return RosterDocument(tuple(people))


# Writing -----------------------------------------------------------------------------------------------------


def _days_text(days: Sequence[str]) -> str:
    return "daily" if len(days) == 7 else ",".join(days)


def _rotation_fields(rotation: RotationSpec) -> dict[str, str]:
    return {
        "days": _days_text(rotation.days),
        "start": rotation.start.strftime("%H:%M"),
        "end": rotation.end.strftime("%H:%M"),
        "from": rotation.valid_from.isoformat() if rotation.valid_from else "",
        "until": rotation.valid_until.isoformat() if rotation.valid_until else "",
        "every_weeks": str(rotation.every_weeks) if rotation.every_weeks != 1 else "",
        "kind": rotation.kind.value,
    }


def _override_fields(override: OverrideSpec, zone: tzinfo) -> dict[str, str]:
    return {
        "kind": override.kind.value,
        "start": utc_to_local_text(override.starts_at, zone),
        "end": utc_to_local_text(override.ends_at, zone),
        "note": override.note or "",
    }


def _without_defaults(fields: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value and (key, value) != ("kind", Kind.ON.value)}


class _QuotingDumper(yaml.SafeDumper):
    """Quote every value that YAML 1.1 readers could take for something else (times, dates, on/off)."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    quoted = bool(re.match(r"^[\d+]", value)) or value in {"on", "off"}
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if quoted else None)


_QuotingDumper.add_representer(str, _represent_text)

YAML_HEADER = """\
# tipline — tableau de service / duty roster (docs/roster.md)
# Données personnelles (numéros de téléphone) : à conserver en lieu sûr.
# Personal data (phone numbers): keep this file safe.
"""


def dump_roster(document: RosterDocument, fmt: Format, *, zone: tzinfo, zone_name: str) -> str:
    """The document as a roster file that ``parse_roster`` reads back to an equal document."""
    if fmt == "csv":
        return _dump_csv(document, zone=zone)
    people = []
    for person in document.people:
        entry: dict[str, Any] = {
            "code": person.code,
            "name": person.name,
            "role": person.role.value,
            "languages": list(person.languages),
        }
        if person.phone:
            entry["phone"] = person.phone
        if person.email:
            entry["email"] = person.email
        if person.rotations:
            entry["rotations"] = [_without_defaults(_rotation_fields(rotation)) for rotation in person.rotations]
        if person.overrides:
            entry["overrides"] = [_without_defaults(_override_fields(override, zone)) for override in person.overrides]
        people.append(entry)
    body = yaml.dump(
        {"version": FORMAT_VERSION, "timezone": zone_name, "people": people},
        Dumper=_QuotingDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=120,
    )
    return YAML_HEADER + body


def _dump_csv(document: RosterDocument, *, zone: tzinfo) -> str:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for person in document.people:
        base = {
            "code": person.code,
            "name": person.name,
            "role": person.role.value,
            "languages": " ".join(person.languages),
            "phone": person.phone or "",
            "email": person.email or "",
        }
        rows = [{**base, "entry": "rotation", **_rotation_fields(rotation)} for rotation in person.rotations]
        rows += [{**base, "entry": "override", **_override_fields(override, zone)} for override in person.overrides]
        writer.writerows(rows or [base])
    return output.getvalue()
