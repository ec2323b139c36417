"""Who is on duty, from the database: by role and language, over the next 7 days, across daylight saving,
with presence and the demo roster covering the clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tipline.roster.models import Person, Presence, Role, Rotation, Shift
from tipline.roster.schedule import WEEKDAYS, Interval, Kind, local_to_utc, merge
from tipline.roster.services import DutyInterval, UnknownPersonError, duty_schedule, on_duty, set_presence
from tipline.runtime import runtime
from tipline.seed import DEMO_ROSTER, seed_demo

MONTREAL = ZoneInfo("America/Montreal")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local_to_utc(datetime(year, month, day, hour, minute), MONTREAL)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with runtime(app).db.transaction() as opened:
        yield opened


def add_person(
    session: Session,
    code: str,
    role: Role,
    languages: Sequence[str],
    hours: Sequence[tuple[time, time]] = (),
    *,
    active: bool = True,
) -> Person:
    person = Person(code=code, name=f"Person {code}", role=role, languages=list(languages), active=active)
    session.add(person)
    session.flush()
    for start, end in hours:
        session.add(Rotation(person_id=person.id, weekdays=list(WEEKDAYS), starts_local=start, ends_local=end))
    session.flush()
    return person


DAY = (time(8), time(20))
NIGHT = (time(20), time(8))


def codes(people: Sequence[Person]) -> list[str]:
    return [person.code for person in people]


def test_on_duty_filters_by_time_role_and_language(session: Session) -> None:
    add_person(session, "FR-DAY", Role.DISPATCHER, ["fr"], [DAY])
    add_person(session, "EN-DAY", Role.DISPATCHER, ["en", "fr"], [DAY])
    add_person(session, "FR-NIGHT", Role.DISPATCHER, ["fr"], [NIGHT])
    add_person(session, "ESUP", Role.ESUP, ["fr", "en"], [DAY, NIGHT])
    add_person(session, "GONE", Role.DISPATCHER, ["fr"], [DAY, NIGHT], active=False)

    noon, three_am = local(2026, 12, 1, 12), local(2026, 12, 2, 3)
    assert codes(on_duty(session, at=noon, zone=MONTREAL)) == ["EN-DAY", "ESUP", "FR-DAY"]
    assert codes(on_duty(session, at=noon, role=Role.DISPATCHER, language="en", zone=MONTREAL)) == ["EN-DAY"]
    assert codes(on_duty(session, at=noon, role=Role.DISPATCHER, language="fr", zone=MONTREAL)) == [
        "EN-DAY",
        "FR-DAY",
    ]
    assert codes(on_duty(session, at=three_am, role=Role.DISPATCHER, zone=MONTREAL)) == ["FR-NIGHT"]
    assert codes(on_duty(session, at=three_am, role=Role.DISPATCHER, language="en", zone=MONTREAL)) == []
    assert codes(on_duty(session, at=three_am, role=Role.ESUP, zone=MONTREAL)) == ["ESUP"]
    # A shift is half-open: at 20:00 the night has the line, not the day.
    assert codes(on_duty(session, at=local(2026, 12, 1, 20), role=Role.DISPATCHER, zone=MONTREAL)) == ["FR-NIGHT"]


def test_one_off_shifts_add_and_remove_time(session: Session) -> None:
    regular = add_person(session, "REG", Role.DISPATCHER, ["fr"], [DAY])
    extra = add_person(session, "EXTRA", Role.DISPATCHER, ["fr"])
    session.add(Shift(person_id=regular.id, starts_at=local(2026, 12, 24), ends_at=local(2026, 12, 27), kind=Kind.OFF))
    session.add(Shift(person_id=extra.id, starts_at=local(2026, 12, 24, 8), ends_at=local(2026, 12, 26, 20)))
    session.flush()

    assert codes(on_duty(session, at=local(2026, 12, 23, 12), zone=MONTREAL)) == ["REG"]
    assert codes(on_duty(session, at=local(2026, 12, 25, 12), zone=MONTREAL)) == ["EXTRA"]
    assert codes(on_duty(session, at=local(2026, 12, 27, 12), zone=MONTREAL)) == ["REG"]


def test_duty_schedule_over_seven_days_is_merged_per_person_in_utc(session: Session) -> None:
    day = add_person(session, "DAY", Role.DISPATCHER, ["fr"], [DAY])
    always = add_person(session, "ALWAYS", Role.SUPERVISOR, ["fr", "en"], [DAY, NIGHT])
    start = datetime(2026, 12, 1, 17, tzinfo=UTC)  # noon in Montréal
    end = start + timedelta(days=7)

    schedule = duty_schedule(session, start=start, end=end, zone=MONTREAL)

    supervisor = [item for item in schedule if item.person_id == always.id]
    assert supervisor == [
        DutyInterval(always.id, "Person ALWAYS", Role.SUPERVISOR, ("fr", "en"), start, end)
    ]  # day and night rotations merged into one span
    dispatcher = [item for item in schedule if item.person_id == day.id]
    assert len(dispatcher) == 8  # clipped: the 1st from noon, six whole days, the 8th until noon
    assert dispatcher[0].starts_at == start and dispatcher[0].ends_at == datetime(2026, 12, 2, 1, tzinfo=UTC)
    assert dispatcher[1].starts_at == datetime(2026, 12, 2, 13, tzinfo=UTC)
    assert (dispatcher[-1].starts_at, dispatcher[-1].ends_at) == (datetime(2026, 12, 8, 13, tzinfo=UTC), end)
    assert all(item.starts_at.tzinfo == UTC for item in schedule)
    assert schedule == sorted(schedule, key=lambda item: (item.starts_at, item.ends_at, item.name))


@pytest.mark.parametrize(
    ("evening", "night_hours"),
    [((2026, 3, 7), 11), ((2026, 10, 31), 13)],
)
def test_day_and_night_shifts_hand_over_exactly_across_dst(
    session: Session, evening: tuple[int, int, int], night_hours: int
) -> None:
    add_person(session, "DAY", Role.DISPATCHER, ["fr"], [DAY])
    night = add_person(session, "NIGHT", Role.DISPATCHER, ["fr"], [NIGHT])
    start, end = local(*evening, 8), local(*evening, 8) + timedelta(days=2)

    schedule = duty_schedule(session, start=start, end=end, zone=MONTREAL)

    ordered = sorted(schedule, key=lambda item: item.starts_at)
    assert ordered[0].starts_at == start and ordered[-1].ends_at == end
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(ordered))
    (short_or_long, *_) = [item for item in ordered if item.person_id == night.id]
    assert short_or_long.ends_at - short_or_long.starts_at == timedelta(hours=night_hours)
    moment = start
    while moment < end:
        assert len(on_duty(session, at=moment, zone=MONTREAL)) == 1, moment
        moment += timedelta(minutes=20)


def test_set_presence(session: Session) -> None:
    person = add_person(session, "P", Role.DISPATCHER, ["fr"])
    assert person.presence == Presence.AVAILABLE
    assert set_presence(session, person.id, Presence.BUSY).presence == "busy"
    assert set_presence(session, person.id, "away").presence == "away"
    with pytest.raises(ValueError, match="asleep"):
        set_presence(session, person.id, "asleep")
    with pytest.raises(UnknownPersonError):
        set_presence(session, person.id + 1000, Presence.AVAILABLE)


def test_naive_times_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        on_duty(session, at=datetime(2026, 12, 1, 12))


def test_zone_defaults_to_the_line_setting(app: Flask) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        add_person(session, "DAY", Role.DISPATCHER, ["fr"], [DAY])
        # 08:30 in Montréal is 13:30 UTC; read in UTC the rotation would not have started.
        assert codes(on_duty(session, at=datetime(2026, 12, 1, 13, 30, tzinfo=UTC))) == ["DAY"]


def _coverage(schedule: Sequence[DutyInterval], role: Role, language: str | None = None) -> list[Interval]:
    return merge(
        Interval(item.starts_at, item.ends_at)
        for item in schedule
        if item.role == role and (language is None or language in item.languages)
    )


@pytest.mark.parametrize("start", [local(2026, 3, 5), local(2026, 10, 29), local(2026, 11, 28, 8)])
def test_the_demo_roster_covers_the_clock(app: Flask, session: Session, start: datetime) -> None:
    added = seed_demo(session, runtime(app).cipher, now=start)
    assert added == list(DEMO_ROSTER)
    end = start + timedelta(days=7)

    schedule = duty_schedule(session, start=start, end=end, zone=MONTREAL)

    whole_week = [Interval(start, end)]
    assert _coverage(schedule, Role.DISPATCHER, "fr") == whole_week
    assert _coverage(schedule, Role.DISPATCHER, "en") == whole_week
    assert _coverage(schedule, Role.ESUP) == whole_week
    assert _coverage(schedule, Role.SUPERVISOR) == whole_week
    assert seed_demo(session, runtime(app).cipher, now=start) == []
