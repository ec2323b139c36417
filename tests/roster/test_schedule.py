"""Rotations become UTC intervals: exact coverage across both 2026 daylight-saving changes in Montréal,
one-off overrides on top, multi-week patterns, validity dates."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tipline.roster.schedule import (
    Interval,
    Kind,
    Override,
    RotationRule,
    duty_intervals,
    expand_rotation,
    is_on_duty,
    local_to_utc,
    merge,
    subtract,
    utc_to_local_text,
)

MONTREAL = ZoneInfo("America/Montreal")
EVERY_DAY = frozenset(range(7))
DAY = RotationRule(EVERY_DAY, time(8), time(20))
NIGHT = RotationRule(EVERY_DAY, time(20), time(8))
HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local_to_utc(datetime(year, month, day, hour, minute), MONTREAL)


def assert_tiles_exactly(shifts: list[Interval], start: datetime, end: datetime) -> None:
    """Every instant of [start, end) is covered by exactly one shift: no gap, no overlap."""
    ordered = sorted(shifts)
    assert ordered[0].starts_at == start
    assert ordered[-1].ends_at == end
    for previous, following in itertools.pairwise(ordered):
        assert previous.ends_at == following.starts_at, f"gap or overlap between {previous} and {following}"
    assert sum((shift.duration for shift in ordered), timedelta()) == end - start


@pytest.mark.parametrize(
    ("night_of", "night_hours", "transition_utc"),
    [
        (date(2026, 3, 7), 11, utc(2026, 3, 8, 7)),  # spring forward: 02:00 EST becomes 03:00 EDT
        (date(2026, 10, 31), 13, utc(2026, 11, 1, 6)),  # fall back: 02:00 EDT becomes 01:00 EST
    ],
)
def test_day_and_night_rotations_cover_each_instant_once_across_dst(
    night_of: date, night_hours: int, transition_utc: datetime
) -> None:
    start = local_to_utc(datetime.combine(night_of - timedelta(days=2), time(8)), MONTREAL)
    end = local_to_utc(datetime.combine(night_of + timedelta(days=3), time(8)), MONTREAL)
    days = expand_rotation(DAY, start=start, end=end, zone=MONTREAL)
    nights = expand_rotation(NIGHT, start=start, end=end, zone=MONTREAL)

    assert_tiles_exactly(days + nights, start, end)
    night = next(shift for shift in nights if transition_utc in shift)
    assert night.duration == timedelta(hours=night_hours)
    assert night.starts_at.astimezone(MONTREAL).time() == time(20)
    assert night.ends_at.astimezone(MONTREAL).time() == time(8)
    assert all(shift.duration == timedelta(hours=12) for shift in days)
    assert sorted(shift.duration for shift in nights).count(timedelta(hours=12)) == len(nights) - 1
    # Sampled every 15 minutes too: exactly one of the two rotations holds each instant.
    moment = start
    while moment < end:
        holders = [rule for rule in (DAY, NIGHT) if is_on_duty([rule], [], at=moment, zone=MONTREAL)]
        assert len(holders) == 1, moment
        moment += timedelta(minutes=15)


def test_boundaries_inside_the_skipped_and_repeated_hours_still_tile() -> None:
    # Shifts that change over at 02:30, which does not exist on 2026-03-08 and exists twice on 2026-11-01.
    early = RotationRule(EVERY_DAY, time(2, 30), time(14, 30))
    late = RotationRule(EVERY_DAY, time(14, 30), time(2, 30))
    for start, end in (
        (local(2026, 3, 6, 2, 30), local(2026, 3, 10, 2, 30)),
        (local(2026, 10, 30), local(2026, 11, 3)),
    ):
        shifts = expand_rotation(early, start=start, end=end, zone=MONTREAL)
        shifts += expand_rotation(late, start=start, end=end, zone=MONTREAL)
        assert_tiles_exactly(shifts, start, end)

    # The skipped 02:30 is the instant the clocks jump; the repeated 01:30 is its first occurrence.
    assert local(2026, 3, 8, 2, 30) == utc(2026, 3, 8, 7)
    assert local(2026, 11, 1, 1, 30) == utc(2026, 11, 1, 5, 30)


def test_local_text_round_trips_even_in_the_repeated_hour() -> None:
    first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)  # both 01:30 on the wall clock
    assert utc_to_local_text(first, MONTREAL) == "2026-11-01 01:30"
    assert utc_to_local_text(second, MONTREAL) == "2026-11-01T01:30:00-05:00"
    for moment in (first, second, utc(2026, 3, 8, 7)):
        text = utc_to_local_text(moment, MONTREAL)
        assert local_to_utc(datetime.fromisoformat(text), MONTREAL) == moment


def test_rotation_runs_on_its_weekdays_within_its_dates() -> None:
    weekdays = RotationRule(
        frozenset(range(5)), time(9), time(17), valid_from=date(2026, 6, 3), valid_until=date(2026, 6, 9)
    )
    shifts = expand_rotation(weekdays, start=utc(2026, 6, 1), end=utc(2026, 6, 15), zone=MONTREAL)
    starts = [shift.starts_at.astimezone(MONTREAL).date() for shift in shifts]
    # Wednesday the 3rd to Tuesday the 9th, weekdays only.
    assert starts == [date(2026, 6, 3), date(2026, 6, 4), date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 9)]
    assert shifts[0] == Interval(utc(2026, 6, 3, 13), utc(2026, 6, 3, 21))


def test_every_other_week_counts_from_the_week_of_valid_from() -> None:
    saturdays = RotationRule(frozenset({5}), time(8), time(20), valid_from=date(2026, 11, 4), every_weeks=2)
    shifts = expand_rotation(saturdays, start=utc(2026, 11, 1), end=utc(2026, 12, 1), zone=MONTREAL)
    assert [shift.starts_at.astimezone(MONTREAL).day for shift in shifts] == [7, 21]


def test_expansion_is_clipped_to_the_window_and_includes_the_night_before() -> None:
    shifts = expand_rotation(NIGHT, start=local(2026, 6, 10, 6), end=local(2026, 6, 10, 22), zone=MONTREAL)
    assert shifts == [
        Interval(local(2026, 6, 10, 6), local(2026, 6, 10, 8)),
        Interval(local(2026, 6, 10, 20), local(2026, 6, 10, 22)),
    ]


def test_a_24_hour_rotation_covers_whole_days() -> None:
    always = RotationRule(EVERY_DAY, time(8), time(8))
    start, end = local(2026, 3, 1), local(2026, 3, 15)
    assert duty_intervals([always], [], start=start, end=end, zone=MONTREAL) == [Interval(start, end)]


def test_overrides_remove_and_add_time_and_one_off_time_off_wins() -> None:
    start, end = local(2026, 7, 6), local(2026, 7, 13)  # Monday to Monday
    vacation = Override(local(2026, 7, 7, 0), local(2026, 7, 9, 0), Kind.OFF)  # Tuesday and Wednesday off
    extra = Override(local(2026, 7, 11, 20), local(2026, 7, 11, 23), Kind.ON)  # Saturday evening
    extra_during_vacation = Override(local(2026, 7, 8, 8), local(2026, 7, 8, 12), Kind.ON)
    recurring_off = RotationRule(frozenset({4}), time(8), time(20), kind=Kind.OFF)  # Fridays off

    duty = duty_intervals(
        [DAY, recurring_off], [vacation, extra, extra_during_vacation], start=start, end=end, zone=MONTREAL
    )

    local_days = [(i.starts_at.astimezone(MONTREAL), i.ends_at.astimezone(MONTREAL)) for i in duty]
    assert [(s.day, s.hour, e.day, e.hour) for s, e in local_days] == [
        (6, 8, 6, 20),
        (9, 8, 9, 20),
        (11, 8, 11, 23),  # the rotation and the extra evening, merged
        (12, 8, 12, 20),
    ]
    assert not is_on_duty([DAY], [vacation], at=local(2026, 7, 7, 12), zone=MONTREAL)
    assert is_on_duty([DAY], [vacation], at=local(2026, 7, 9, 12), zone=MONTREAL)


def test_merge_and_subtract() -> None:
    a, b, c = (Interval(utc(2026, 1, 1, h), utc(2026, 1, 1, h + 2)) for h in (0, 2, 5))
    assert merge([c, b, a]) == [Interval(utc(2026, 1, 1, 0), utc(2026, 1, 1, 4)), c]
    cut = Interval(utc(2026, 1, 1, 1), utc(2026, 1, 1, 6))
    assert subtract([a, b, c], [cut]) == [Interval(a.starts_at, cut.starts_at), Interval(cut.ends_at, c.ends_at)]
    assert subtract([a], []) == [a]


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        RotationRule(frozenset(), time(8), time(20))
    with pytest.raises(ValueError, match="valid_from"):
        RotationRule(EVERY_DAY, time(8), time(20), every_weeks=2)
    with pytest.raises(ValueError, match="before"):
        RotationRule(EVERY_DAY, time(8), time(20), valid_from=date(2026, 2, 1), valid_until=date(2026, 1, 1))
