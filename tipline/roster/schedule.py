"""Who is on duty when, as pure functions: rotations in local wall-clock time become UTC intervals.

No database, no Flask: rules in, intervals out. Local times are read in the line's zone with two rules that
keep rotations gap-free and overlap-free across daylight-saving changes:

* a wall-clock time that does not exist (the hour skipped in spring) means the instant the clocks jump, so a
  boundary at 02:30 on 2026-03-08 in Montréal is 03:00 EDT, and nobody loses or gains coverage;
* a wall-clock time that happens twice (the hour repeated in autumn) means its first occurrence (``fold=0``).

Both rules map local times to instants monotonically, and a shift's end and the next shift's start go through
the same mapping, so rotations that tile the wall clock tile real time too. A night shift 20:00–08:00 lasts
11 real hours on the short night and 13 on the long one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Kind(StrEnum):
    """``on`` adds duty time; ``off`` removes it (vacation, sick leave, a recurring day off)."""

    ON = "on"
    OFF = "off"


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of real time ``[starts_at, ends_at)``, in UTC."""

    starts_at: datetime
    ends_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.starts_at <= moment < self.ends_at


@dataclass(frozen=True)
class RotationRule:
    """A recurring shift: on each of ``weekdays`` (0 = Monday, the day the shift starts), from ``start`` to
    ``end`` local time; ``end <= start`` ends the next day (``end == start`` is a 24-hour shift).

    ``valid_from``/``valid_until`` are inclusive local dates on which a shift may start. ``every_weeks`` > 1
    repeats the pattern every N weeks, counted from the Monday of ``valid_from``'s week.
    """

    weekdays: frozenset[int]
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None
    every_weeks: int = 1
    kind: Kind = Kind.ON

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("weekdays must be a non-empty subset of 0..6")
        if self.every_weeks < 1:
            raise ValueError("every_weeks must be at least 1")
        if self.every_weeks > 1 and self.valid_from is None:
            raise ValueError("a rotation repeating every N weeks needs valid_from to count weeks from")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")

    def starts_on(self, day: date) -> bool:
        """Whether a shift of this rule starts on local date ``day``."""
        if day.weekday() not in self.weekdays:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_until is not None and day > self.valid_until:
            return False
        if self.every_weeks > 1 and self.valid_from is not None:
            anchor = self.valid_from - timedelta(days=self.valid_from.weekday())
            return ((day - anchor).days // 7) % self.every_weeks == 0
        return True


@dataclass(frozen=True)
class Override:
    """A one-off span of real time: an extra shift (``on``) or time off (``off``)."""

    starts_at: datetime
    ends_at: datetime
    kind: Kind = Kind.ON


def local_to_utc(moment: datetime, zone: tzinfo) -> datetime:
    """The instant a naive local wall-clock time means in ``zone`` (aware values are only converted).

    Skipped times map to the instant the clocks jump; repeated times to their first occurrence.
    """
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    first = moment.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == moment:
        return first
    # ``moment`` falls in a gap: fold=1 reads it with the offset after the jump (an instant before the
    # jump), fold=0 with the offset before it (an instant after). The jump lies between; find it.
    low = int(moment.replace(tzinfo=zone, fold=1).timestamp())
    high = int(first.timestamp())
    offset_before = datetime.fromtimestamp(low, UTC).astimezone(zone).utcoffset()
    while high - low > 1:  # zone transitions fall on whole seconds
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def wall_clock_to_utc(day: date, at: time, zone: tzinfo) -> datetime:
    return local_to_utc(datetime.combine(day, at), zone)


def utc_to_local_text(moment: datetime, zone: tzinfo) -> str:
    """``YYYY-MM-DD HH:MM`` in local time, with the UTC offset only when the wall-clock time alone would
    be read back as another instant (the repeated hour) or has seconds, so the text round-trips exactly."""
    local = moment.astimezone(zone)
    naive = local.replace(tzinfo=None)
    if naive.second == 0 and naive.microsecond == 0 and local_to_utc(naive, zone) == moment:
        return naive.strftime("%Y-%m-%d %H:%M")
    return local.isoformat()


def expand_rotation(rule: RotationRule, *, start: datetime, end: datetime, zone: tzinfo) -> list[Interval]:
    """The rule's shifts that overlap ``[start, end)``, clipped to it, in UTC and in order."""
    if end <= start:
        return []
    first_day = start.astimezone(zone).date() - timedelta(days=1)  # a shift may start the day before
    last_day = end.astimezone(zone).date()
    shifts: list[Interval] = []
    day = first_day
    while day <= last_day:
        if rule.starts_on(day):
            ends_next_day = rule.end <= rule.start
            starts_at = wall_clock_to_utc(day, rule.start, zone)
            ends_at = wall_clock_to_utc(day + timedelta(days=int(ends_next_day)), rule.end, zone)
            clipped = Interval(max(starts_at, start), min(ends_at, end))
            if clipped.starts_at < clipped.ends_at:
                shifts.append(clipped)
        day += timedelta(days=1)
    return shifts


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if interval.ends_at <= interval.starts_at:
            continue
        if merged and interval.starts_at <= merged[-1].ends_at:
            last = merged[-1]
            merged[-1] = Interval(last.starts_at, max(last.ends_at, interval.ends_at))
        else:
            merged.append(interval)
    return merged


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """``intervals`` without any instant covered by ``removed`` (both merged first)."""
    cuts = merge(removed)
    result: list[Interval] = []
    for interval in merge(intervals):
        pieces = [interval]
        for cut in cuts:
            if cut.starts_at >= interval.ends_at:
                break
            next_pieces: list[Interval] = []
            for piece in pieces:
                if cut.ends_at <= piece.starts_at or cut.starts_at >= piece.ends_at:
                    next_pieces.append(piece)
                    continue
                if piece.starts_at < cut.starts_at:
                    next_pieces.append(Interval(piece.starts_at, cut.starts_at))
                if cut.ends_at < piece.ends_at:
                    next_pieces.append(Interval(cut.ends_at, piece.ends_at))
            pieces = next_pieces
        result.extend(pieces)
    return result


def clip(intervals: Iterable[Interval], *, start: datetime, end: datetime) -> list[Interval]:
    clipped = (Interval(max(i.starts_at, start), min(i.ends_at, end)) for i in intervals)
    return [interval for interval in clipped if interval.starts_at < interval.ends_at]


def duty_intervals(
    rotations: Sequence[RotationRule],
    overrides: Sequence[Override],
    *,
    start: datetime,
    end: datetime,
    zone: tzinfo,
) -> list[Interval]:
    """One person's time on duty within ``[start, end)``, merged, in UTC.

    Layers, each overriding the one before: rotations ``on``, minus rotations ``off``, plus one-off
    ``on`` shifts, minus one-off ``off`` time. A one-off day off therefore always wins.
    """

    def rotation_time(kind: Kind) -> list[Interval]:
        return [
            shift
            for rule in rotations
            if rule.kind == kind
            for shift in expand_rotation(rule, start=start, end=end, zone=zone)
        ]

    def one_off_time(kind: Kind) -> list[Interval]:
        spans = (Interval(o.starts_at, o.ends_at) for o in overrides if o.kind == kind)
        return clip(spans, start=start, end=end)

    rostered = subtract(rotation_time(Kind.ON), rotation_time(Kind.OFF))
    return subtract([*rostered, *one_off_time(Kind.ON)], one_off_time(Kind.OFF))


def is_on_duty(rotations: Sequence[RotationRule], overrides: Sequence[Override], *, at: datetime, zone: tzinfo) -> bool:
    return bool(duty_intervals(rotations, overrides, start=at, end=at + timedelta(microseconds=1), zone=zone))
