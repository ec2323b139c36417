"""Figures: anonymous counts and answer times, SVG charts, a CSV with no personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.console.conftest import CALLER, make_sms_case
from tipline.clock import ManualClock
from tipline.figures.services import last_month, percentile
from tipline.roster.models import Role


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10, 20, 30, 40], 0.5) == 20
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9
    assert last_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_figures_count_and_time_without_personal_data(
    app: Flask, client: FlaskClient, login_as: Callable[[FlaskClient, Role], int], clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 10, 15, 0, tzinfo=UTC))
    case_id, _ = make_sms_case(app, body="secret words", priority="P1")
    login_as(client, Role.DISPATCHER)
    clock.advance(timedelta(seconds=90))
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post(f"/console/cases/{case_id}/claim", data={"csrf_token": token})
    supervisor = app.test_client()
    login_as(supervisor, Role.SUPERVISOR)
    page = supervisor.get("/console/figures?start=2026-11-01&end=2026-11-30")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("<svg") == 6
    export = supervisor.get("/console/figures.csv?start=2026-11-01&end=2026-11-30")
    text = export.get_data(as_text=True)
    rows = {(row["measure"], row["value"]): row["count"] for row in csv.DictReader(io.StringIO(text))}
    assert rows[("period", "2026-11-01/2026-11-30")] == "1"
    assert rows[("channel", "sms")] == "1"
    assert rows[("priority", "P1")] == "1"
    assert rows[("day", "2026-11-10")] == "1"
    assert rows[("hour", "10")] == "1"  # 15:00 UTC is 10:00 in Montréal
    assert rows[("answer_time_claim", "median_seconds")] == "90"
    for secret in (CALLER, "secret words"):
        assert secret not in text
    assert {row.split(",")[0] for row in text.splitlines()[1:]} <= {
        "period",
        "day",
        "channel",
        "language",
        "category",
        "priority",
        "hour",
        "answer_time_claim",
        "answer_time_reply",
    }  # counts and durations only: no id, no reference
    assert client.get("/console/figures.csv").status_code == 403  # dispatchers do not export
