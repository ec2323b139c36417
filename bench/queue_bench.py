"""Queue benchmark: ``GET /api/v1/queue`` with 100,000 historical cases, and the routing decision.

Creates a scratch PostgreSQL database, bulk-inserts the cases (a few hundred still open), measures the listing
through the Flask test client and ``route_waiting_calls`` with callers waiting and handlers free, then drops
the database.

Run: .venv/bin/python bench/queue_bench.py [--cases 100000] [--open 300] [--requests 300] [--limit 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tipline import create_app  # noqa: E402
from tipline.clock import ManualClock  # noqa: E402
from tipline.migrate import upgrade  # noqa: E402
from tipline.runtime import runtime  # noqa: E402
from workers.dispatch import RecordingDispatcher  # noqa: E402

ADMIN = os.environ.get("TIPLINE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fill(app: object, cases: int, open_cases: int) -> None:
    """One INSERT … SELECT per table: history resolved, the last ``open_cases`` new or claimed."""
    with runtime(app).db.engine.begin() as connection:  # type: ignore[arg-type]
        connection.execute(
            text(
                """
                INSERT INTO cases (reference, priority, categories, triage_reasons, status, language,
                                   followup_failures, created_at, updated_at, missed_at)
                SELECT lpad(i::text, 8, '0'),
                       (ARRAY['P1','P2','P3','P3','P4'])[1 + i % 5],
                       '["information_only"]'::jsonb, '{}'::jsonb,
                       CASE WHEN i > :cases - :open THEN (CASE WHEN i % 3 = 0 THEN 'claimed' ELSE 'new' END)
                            ELSE 'resolved' END,
                       CASE WHEN i % 4 = 0 THEN 'en' ELSE 'fr' END,
                       0,
                       :now - make_interval(mins => (:cases - i)),
                       :now - make_interval(mins => (:cases - i)),
                       CASE WHEN i > :cases - :open AND i % 7 = 0 THEN :now ELSE NULL END
                FROM generate_series(1, :cases) AS i
                """
            ),
            {"cases": cases, "open": open_cases, "now": NOW},
        )
        connection.execute(
            text(
                """
                INSERT INTO contacts (channel, twilio_sid, status, anonymous, step_seq, case_id, started_at,
                                      last_activity_at)
                SELECT CASE WHEN id % 2 = 0 THEN 'sms' ELSE 'voice' END, 'CA' || lpad(id::text, 32, '0'),
                       'closed', false, 0, id, created_at, created_at
                FROM cases
                """
            )
        )
        connection.execute(text("ANALYZE"))


def bench_listing(app: object, requests: int, limit: int) -> tuple[list[float], int]:
    from tests.factories import auth, make_person, make_token
    from tipline.roster.models import Role

    person = make_person(app, name="Bench", role=Role.DISPATCHER, languages=("fr",), phone="+15145550199")  # type: ignore[arg-type]
    headers = auth(make_token(app, person))  # type: ignore[arg-type]
    client = app.test_client()  # type: ignore[attr-defined]
    for _warm in range(10):
        client.get(f"/api/v1/queue?limit={limit}", headers=headers)
    timings = []
    count = 0
    for _request in range(requests):
        started = time.perf_counter()
        answer = client.get(f"/api/v1/queue?limit={limit}", headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
        count = len(answer.get_json()["cases"])
    return timings, count


def bench_routing(app: object, waiting: int, handlers: int, runs: int) -> list[float]:
    from tests.factories import make_person
    from tipline.roster.models import Role
    from tipline.routing.models import QueuedCall
    from tipline.routing.policy import routing_policy
    from tipline.routing.services import route_waiting_calls

    rt = runtime(app)  # type: ignore[arg-type]
    for n in range(handlers):
        make_person(
            app,  # type: ignore[arg-type]
            name=f"H{n}",
            role=Role.DISPATCHER,
            languages=("fr",) if n % 2 else ("en", "fr"),
            phone=f"+1514555{n + 1000:04d}",
            on_duty_from=NOW - timedelta(hours=1),
        )
    with rt.db.transaction() as session:
        for row in session.execute(text("SELECT id, case_id FROM contacts ORDER BY id DESC LIMIT :n"), {"n": waiting}):
            session.add(
                QueuedCall(
                    contact_id=row.id,
                    case_id=row.case_id,
                    call_sid=f"CQ{row.id:032d}",
                    queue_name=f"tl-{row.id}",
                    language="fr",
                    enqueued_at=NOW - timedelta(seconds=row.id % 90),
                )
            )
    timings = []
    with app.app_context():  # type: ignore[attr-defined]
        policy = routing_policy()
        for _run in range(runs):
            with rt.db.sessions() as session:
                started = time.perf_counter()
                offers = route_waiting_calls(session, now=NOW, policy=policy)
                timings.append((time.perf_counter() - started) * 1000)
                assert len(offers) == min(waiting, handlers)
                session.rollback()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=300, help="how many of them are still open")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--limit", type=int, default=200, help="cases per page (the API's default is 200)")
    parser.add_argument("--waiting", type=int, default=50, help="callers waiting for the routing decision")
    parser.add_argument("--handlers", type=int, default=20, help="handlers free for the routing decision")
    args = parser.parse_args()

    name = f"tipline_bench_queue_{os.getpid()}"
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    app = None
    try:
        upgrade(url)
        from tests.support import settings_for

        app = create_app(
            {
                **settings_for(Path(tempfile.mkdtemp()), database_url=url),
                "clock": ManualClock(NOW),
                "dispatcher": RecordingDispatcher(),
            }
        )
        started = time.perf_counter()
        fill(app, args.cases, args.open)
        print(
            f"inserted {args.cases:,} cases ({args.open} open) and their contacts "
            f"in {time.perf_counter() - started:.1f} s"
        )

        timings, listed = bench_listing(app, args.requests, args.limit)
        print(
            f"GET /api/v1/queue ({listed} cases listed), {args.requests} requests: "
            f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms, "
            f"max {max(timings):.1f} ms"
        )
        routing = bench_routing(app, args.waiting, args.handlers, 30)
        print(
            f"routing decision ({args.waiting} callers waiting, {args.handlers} handlers free): "
            f"p50 {statistics.median(routing):.1f} ms, p99 {percentile(routing, 0.99):.1f} ms"
        )
    finally:
        if app is not None:
            runtime(app).db.dispose()
        with psycopg.connect(ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
