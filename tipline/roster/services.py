"""Roster services: who is on duty, the duty schedule, presence, and importing/exporting the whole roster.

Services only flush; the caller (a view, a job, a CLI command) owns the transaction. Times are aware UTC
``datetime``s; rotations are read in the line's zone (``TIPLINE_TIMEZONE``), passed as ``zone`` or, by
default, taken from the running app's settings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from flask import has_app_context
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.roster.io import OverrideSpec, PersonSpec, RosterDocument, RotationSpec
from tipline.roster.models import Person, Presence, Role, Rotation, Shift
from tipline.roster.schedule import Interval, Kind, duty_intervals

MOMENT = timedelta(microseconds=1)


@dataclass(frozen=True)
class DutyInterval:
    person_id: int
    name: str
    role: Role
    languages: tuple[str, ...]
    starts_at: datetime  # UTC
    ends_at: datetime


@dataclass(frozen=True)
class ImportSummary:
    created: tuple[str, ...]  # codes
    updated: tuple[str, ...]
    deactivated: tuple[str, ...]


class UnknownPersonError(LookupError):
    """No person has this id."""


def line_zone() -> tzinfo:
    """The line's zone: the running app's ``TIPLINE_TIMEZONE``, else read from the environment."""
    if has_app_context():
        from tipline.runtime import runtime

        return runtime().settings.zone
    from tipline.config import Settings

    return ZoneInfo(Settings.from_env().timezone)


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware")


def _duty_by_person(
    session: Session, people: Sequence[Person], *, start: datetime, end: datetime, zone: tzinfo
) -> dict[int, list[Interval]]:
    ids = [person.id for person in people]
    if not ids:
        return {}
    rotations: dict[int, list[Rotation]] = defaultdict(list)
    for rotation in session.scalars(select(Rotation).where(Rotation.person_id.in_(ids)).order_by(Rotation.id)):
        rotations[rotation.person_id].append(rotation)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    overlapping = select(Shift).where(Shift.person_id.in_(ids), Shift.starts_at < end, Shift.ends_at > start)
    for shift in session.scalars(overlapping.order_by(Shift.id)):
        shifts[shift.person_id].append(shift)
    return {
        person_id: duty_intervals(
            [rotation.rule() for rotation in rotations[person_id]],
            [shift.override() for shift in shifts[person_id]],
            start=start,
            end=end,
            zone=zone,
        )
        for person_id in ids
    }


def _active_people(session: Session, role: Role | None = None) -> list[Person]:
    query = select(Person).where(Person.active.is_(True)).order_by(Person.name, Person.id)
    if role is not None:
        query = query.where(Person.role == role.value)
    return list(session.scalars(query))


def on_duty(
    session: Session,
    *,
    at: datetime,
    role: Role | None = None,
    language: str | None = None,
    zone: tzinfo | None = None,
) -> list[Person]:
    """Active people on duty at ``at`` (any presence: routing decides who is free), by name."""
    _require_aware(at=at)
    people = [p for p in _active_people(session, role) if language is None or language in p.languages]
    duty = _duty_by_person(session, people, start=at, end=at + MOMENT, zone=zone or line_zone())
    return [person for person in people if duty[person.id]]


def duty_schedule(
    session: Session, *, start: datetime, end: datetime, zone: tzinfo | None = None
) -> list[DutyInterval]:
    """Every active person's time on duty within ``[start, end)``, in UTC, merged per person, in order."""
    _require_aware(start=start, end=end)
    if end <= start:
        return []
    people = _active_people(session)
    duty = _duty_by_person(session, people, start=start, end=end, zone=zone or line_zone())
    intervals = [
        DutyInterval(
            person_id=person.id,
            name=person.name,
            role=Role(person.role),
            languages=tuple(person.languages),
            starts_at=interval.starts_at,
            ends_at=interval.ends_at,
        )
        for person in people
        for interval in duty[person.id]
    ]
    return sorted(intervals, key=lambda item: (item.starts_at, item.ends_at, item.name, item.person_id))


def set_presence(session: Session, person_id: int, presence: Presence | str) -> Person:
    """Mark a handler available, busy or away."""
    state = Presence(presence)
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPersonError(person_id)
    person.presence = state.value
    session.flush()
    return person


# Import and export -------------------------------------------------------------------------------------------


def import_roster(session: Session, cipher: DataCipher, document: RosterDocument) -> ImportSummary:
    """Make the roster what ``document`` says. People are matched by code; each listed person's rotations and
    one-off shifts are replaced by the file's; people missing from the file are deactivated, never deleted.
    The document is already checked (``io.parse_roster``); the caller commits once, or rolls everything back.
    """
    existing = {person.code: person for person in session.scalars(select(Person))}
    listed = {spec.code for spec in document.people}
    created: list[str] = []
    updated: list[str] = []
    # Emails are unique: clear them all first, so the file may move or swap them between people.
    for known in existing.values():
        known.email = None
    session.flush()
    for spec in document.people:
        person = existing.get(spec.code)
        if person is None:
            person = Person(code=spec.code)
            session.add(person)
            created.append(spec.code)
        else:
            updated.append(spec.code)
        _apply_person(person, spec, cipher)
    session.flush()
    people_ids = [existing[code].id for code in updated]
    if people_ids:
        session.execute(delete(Rotation).where(Rotation.person_id.in_(people_ids)))
        session.execute(delete(Shift).where(Shift.person_id.in_(people_ids)))
    by_code = {person.code: person for person in session.scalars(select(Person).where(Person.code.in_(listed)))}
    for spec in document.people:
        person_id = by_code[spec.code].id
        session.add_all(_rotation_row(person_id, rotation) for rotation in spec.rotations)
        session.add_all(_shift_row(person_id, override) for override in spec.overrides)
    deactivated = sorted(code for code, person in existing.items() if code not in listed and person.active)
    for code in deactivated:
        existing[code].active = False
    session.flush()
    return ImportSummary(tuple(created), tuple(updated), tuple(deactivated))


def _apply_person(person: Person, spec: PersonSpec, cipher: DataCipher) -> None:
    person.name = spec.name
    person.role = spec.role.value
    person.languages = list(spec.languages)
    person.email = spec.email
    person.active = True
    if spec.phone is None:
        person.phone_enc = None
        person.phone_hash = None
    elif person.phone_hash not in cipher.lookup_hashes(spec.phone) or person.phone_enc is None:
        person.phone_enc = cipher.encrypt(spec.phone)
        person.phone_hash = cipher.lookup_hash(spec.phone)


def _rotation_row(person_id: int, rotation: RotationSpec) -> Rotation:
    return Rotation(
        person_id=person_id,
        weekdays=list(rotation.days),
        starts_local=rotation.start,
        ends_local=rotation.end,
        valid_from=rotation.valid_from,
        valid_until=rotation.valid_until,
        every_weeks=rotation.every_weeks,
        kind=rotation.kind.value,
    )


def _shift_row(person_id: int, override: OverrideSpec) -> Shift:
    return Shift(
        person_id=person_id,
        starts_at=override.starts_at,
        ends_at=override.ends_at,
        kind=override.kind.value,
        note=override.note,
    )


def export_roster(session: Session, cipher: DataCipher) -> RosterDocument:
    """The active roster as a document (phones decrypted), ordered by code: what ``import_roster`` reads."""
    people = list(session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.code)))
    ids = [person.id for person in people]
    rotations: dict[int, list[Rotation]] = defaultdict(list)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    if ids:
        for rotation in session.scalars(select(Rotation).where(Rotation.person_id.in_(ids)).order_by(Rotation.id)):
            rotations[rotation.person_id].append(rotation)
        for shift in session.scalars(select(Shift).where(Shift.person_id.in_(ids)).order_by(Shift.starts_at)):
            shifts[shift.person_id].append(shift)
    return RosterDocument(
        tuple(
            PersonSpec(
                code=person.code,
                name=person.name,
                role=Role(person.role),
                languages=tuple(person.languages),
                phone=cipher.decrypt_optional(person.phone_enc),
                email=person.email,
                rotations=tuple(
                    RotationSpec(
                        days=tuple(rotation.weekdays),
                        start=rotation.starts_local,
                        end=rotation.ends_local,
                        valid_from=rotation.valid_from,
                        valid_until=rotation.valid_until,
                        every_weeks=rotation.every_weeks,
                        kind=Kind(rotation.kind),
                    )
                    for rotation in rotations[person.id]
                ),
                overrides=tuple(
                    OverrideSpec(
                        starts_at=shift.starts_at, ends_at=shift.ends_at, kind=Kind(shift.kind), note=shift.note
                    )
                    for shift in shifts[person.id]
                ),
            )
            for person in people
        )
    )
