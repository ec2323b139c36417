"""Counting cases over a period of local days: by day, channel, language, category, priority and hour, and how
long they waited for a person (median, 90th percentile). Only counts and durations leave this module — never
a number, a message, a reference code or an id."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.cases.models import PRIORITIES, Case, CaseChange
from tipline.contacts.models import Contact
from tipline.outbox.models import OutboundKind, OutboundMessage

DIMENSIONS = ("day", "channel", "language", "category", "priority", "hour")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Duration:
    count: int
    median_seconds: int | None
    p90_seconds: int | None


@dataclass(frozen=True)
class Figures:
    start: date  # first local day
    end: date  # last local day (inclusive)
    total: int
    counts: dict[str, list[tuple[str, int]]]
    answer_times: dict[str, Duration]  # "claim": until a person took the case; "reply": until the first reply


def period_bounds(start: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants from the start of local day ``start`` to the end of local day ``end``."""
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def last_month(today: date) -> tuple[date, date]:
    first_of_this = today.replace(day=1)
    last_of_previous = first_of_this - timedelta(days=1)
    return last_of_previous.replace(day=1), last_of_previous


def percentile(values: list[float], fraction: float) -> int | None:
    """Nearest-rank percentile, in whole seconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1])


def _duration(values: list[float]) -> Duration:
    return Duration(len(values), percentile(values, 0.5), percentile(values, 0.9))


def compute_figures(session: Session, *, start: date, end: date, zone: tzinfo) -> Figures:
    low, high = period_bounds(start, end, zone)
    cases = list(session.scalars(select(Case).where(Case.created_at >= low, Case.created_at < high)))
    ids = [case.id for case in cases]
    channel: dict[int, str] = {}
    for contact in session.scalars(select(Contact).where(Contact.case_id.in_(ids)).order_by(Contact.id.desc())):
        if contact.case_id is not None:
            channel[contact.case_id] = contact.channel  # the first contact wins (ordered last to first)
    claimed: dict[int, datetime] = {}
    for change in session.scalars(
        select(CaseChange)
        .where(CaseChange.case_id.in_(ids), CaseChange.field == "status", CaseChange.new_value == "claimed")
        .order_by(CaseChange.at.desc())
    ):
        claimed[change.case_id] = change.at
    replied: dict[int, datetime] = {}
    for message in session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.case_id.in_(ids),
            OutboundMessage.kind == OutboundKind.SMS,
            OutboundMessage.purpose == "reply",
        )
        .order_by(OutboundMessage.created_at.desc())
    ):
        if message.case_id is not None:
            replied[message.case_id] = message.created_at

    counters = {name: Counter[str]() for name in DIMENSIONS}
    for case in cases:
        local = case.created_at.astimezone(zone)
        counters["day"][local.date().isoformat()] += 1
        counters["hour"][f"{local.hour:02d}"] += 1
        counters["channel"][channel.get(case.id, UNKNOWN)] += 1
        counters["language"][case.language or UNKNOWN] += 1
        counters["priority"][case.priority] += 1
        for category in case.categories or [UNKNOWN]:
            counters["category"][category] += 1
    days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
    counts = {
        "day": [(day, counters["day"][day]) for day in days],
        "hour": [(f"{hour:02d}", counters["hour"][f"{hour:02d}"]) for hour in range(24)],
        "priority": [(priority, counters["priority"][priority]) for priority in PRIORITIES],
        "channel": sorted(counters["channel"].items()),
        "language": sorted(counters["language"].items()),
        "category": sorted(counters["category"].items(), key=lambda pair: (-pair[1], pair[0])),
    }
    by_id = {case.id: case for case in cases}
    answer_times = {
        "claim": _duration([(at - by_id[i].created_at).total_seconds() for i, at in claimed.items()]),
        "reply": _duration([(at - by_id[i].created_at).total_seconds() for i, at in replied.items()]),
    }
    return Figures(start=start, end=end, total=len(cases), counts=counts, answer_times=answer_times)


def figures_csv(figures: Figures) -> str:
    """One table: ``measure,value,count``; answer times as ``answer_time_<kind>`` rows (seconds)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["measure", "value", "count"])
    writer.writerow(["period", f"{figures.start.isoformat()}/{figures.end.isoformat()}", figures.total])
    for dimension in DIMENSIONS:
        for value, count in figures.counts[dimension]:
            writer.writerow([dimension, value, count])
    for kind, duration in figures.answer_times.items():
        writer.writerow([f"answer_time_{kind}", "cases", duration.count])
        writer.writerow(
            [
                f"answer_time_{kind}",
                "median_seconds",
                "" if duration.median_seconds is None else duration.median_seconds,
            ]
        )
        writer.writerow(
            [f"answer_time_{kind}", "p90_seconds", "" if duration.p90_seconds is None else duration.p90_seconds]
        )
    return out.getvalue()
