"""Escalation benchmark: time from a case becoming P1 to the first alert SMS reaching the (fake) Twilio API.

The full production path: PostgreSQL, real Redis, an rq ``SimpleWorker`` running in its own process
(``workers.worker.run_worker``, as the Procfile's ``worker``), the real ``twilio`` client talking to the local
fake Twilio REST server. Each trigger commits a P1 case (the ``@on_p1`` hook records the escalation and its
start job), rq runs the start job (roster lookup, outbox row, send job), then the send job posts the SMS.

Run: .venv/bin/python bench/escalation_bench.py [--triggers 50]
Needs PostgreSQL (TIPLINE_BENCH_PG_ADMIN, default postgresql://postgres@127.0.0.1:5432/postgres) and Redis
(TIPLINE_BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from redis import Redis  # noqa: E402

from tipline import create_app  # noqa: E402
from tipline.cases.services import open_case  # noqa: E402
from tipline.cases.triage_service import set_priority  # noqa: E402
from tipline.migrate import upgrade  # noqa: E402
from tipline.roster.models import Person, Role, Shift  # noqa: E402
from tipline.runtime import runtime  # noqa: E402
from tipline.simulate.fake_twilio_api import FakeTwilioApi  # noqa: E402

PG_ADMIN = os.environ.get("TIPLINE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TIPLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DB_NAME = f"tipline_bench_escalation_{os.getpid()}"
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"  # noqa: S105 - the local fake server's token
ESUP_PHONE = "+15145550111"


def _recreate(name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def _worker(settings: dict[str, Any]) -> None:
    from workers.worker import run_worker

    run_worker(create_app(settings))


def _seed(app: Any) -> None:
    rt = runtime(app)
    with rt.db.transaction() as session:
        person = Person(
            code="BENCH1",
            name="Élise",
            role=Role.ESUP,
            languages=["fr"],
            phone_enc=rt.cipher.encrypt(ESUP_PHONE),
            phone_hash=rt.cipher.lookup_hash(ESUP_PHONE),
        )
        session.add(person)
        session.flush()
        now = datetime.now(UTC)
        session.add(Shift(person_id=person.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)))


def _trigger(app: Any) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        case = open_case(session, language="fr", categories=["immediate_danger"])
        set_priority(session, case, "P1", actor="triage", reason="bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triggers", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one SMS")
    args = parser.parse_args()

    Redis.from_url(REDIS_URL).flushdb()
    _recreate(DB_NAME)
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
    upgrade(database_url)
    worker: multiprocessing.process.BaseProcess | None = None
    try:
        with FakeTwilioApi(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
            settings: dict[str, Any] = {
                "database_url": database_url,
                "redis_url": REDIS_URL,
                "twilio_api_url": api.base_url,
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_auth_token": AUTH_TOKEN,
                "secret_key": "b" * 40,
                "data_keys": (Fernet.generate_key().decode(),),
                "phone_number": "+15145550100",
                "instance_dir": tempfile.mkdtemp(prefix="tipline-bench-"),
            }
            app = create_app(settings)
            _seed(app)
            worker = multiprocessing.get_context("fork").Process(target=_worker, args=(settings,))
            worker.start()
            _trigger(app)  # warm-up: imports, connection pools, the worker's first job
            _wait_for(api, 1, args.timeout * 3)
            timings: list[float] = []
            for index in range(args.triggers):
                started = time.perf_counter()
                _trigger(app)
                if not _wait_for(api, index + 2, args.timeout):
                    print(f"trigger {index + 1}: no SMS within {args.timeout} s")
                    return 1
                timings.append((time.perf_counter() - started) * 1000)
            runtime(app).db.dispose()
    finally:
        if worker is not None:
            worker.terminate()
            worker.join(timeout=10)
        _recreate(DB_NAME, drop_only=True)
        Redis.from_url(REDIS_URL).flushdb()

    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print("escalation: P1 trigger -> first alert SMS at the fake Twilio API")
    print("  path: PostgreSQL + Redis + rq SimpleWorker in a separate process + real twilio client")
    print(f"  triggers: {len(timings)}")
    print(f"  median: {statistics.median(timings):.1f} ms")
    print(f"  p99:    {p99:.1f} ms")
    print(f"  max:    {ordered[-1]:.1f} ms   min: {ordered[0]:.1f} ms")
    print(f"  p99 under 1 s: {'yes' if p99 < 1000 else 'NO'}")
    return 0


def _wait_for(api: FakeTwilioApi, count: int, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if len(api.requests_to("Messages.json", "POST")) >= count:
            return True
        time.sleep(0.001)
    return False


if __name__ == "__main__":
    raise SystemExit(main())
