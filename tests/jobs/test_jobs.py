"""Jobs are rows first: recorded with the work that asked for them, dispatched only after commit, claimed
atomically, retried with backoff, resumed by the sweeper, and run through real rq and Redis."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support import TEST_REDIS_URL, settings_for, truncate_all
from tipline import create_app
from tipline.clock import ManualClock
from tipline.contacts.events import record_event
from tipline.contacts.models import Event
from tipline.jobs.models import JobRecord, JobState
from tipline.runtime import runtime
from workers.dispatch import RecordingDispatcher, RqDispatcher, queue_name
from workers.jobs import execute, job, run_due_jobs, sweep

FAILURES: dict[str, int] = {}


@job("default")
def write_marker(session: Session, *, label: str) -> None:
    record_event(session, "test.marker", data={"label": label})


@job("default", max_attempts=2)
def fail_then_succeed(session: Session, *, label: str) -> None:
    FAILURES[label] = FAILURES.get(label, 0) + 1
    if FAILURES[label] == 1:
        raise RuntimeError("first attempt fails")
    record_event(session, "test.marker", data={"label": label})


@job("default", max_attempts=2)
def always_fail(session: Session, *, label: str) -> None:
    raise ValueError("never works")


def markers(app: Flask) -> list[str]:
    with runtime(app).db.sessions() as session:
        return [event.data["label"] for event in session.scalars(select(Event).where(Event.kind == "test.marker"))]


def job_state(app: Flask, job_id: int) -> JobRecord:
    with runtime(app).db.sessions() as session:
        found = session.get(JobRecord, job_id)
        assert found is not None
        return found


def test_a_job_is_dispatched_only_after_commit(app: Flask, dispatcher: RecordingDispatcher) -> None:
    with app.app_context(), runtime(app).db.sessions() as session:
        record = write_marker.enqueue(session, label="a")
        assert dispatcher.dispatched == []
        session.commit()
        assert [entry[0] for entry in dispatcher.dispatched] == [record.id]


def test_a_rolled_back_job_is_neither_stored_nor_dispatched(app: Flask, dispatcher: RecordingDispatcher) -> None:
    with app.app_context(), runtime(app).db.sessions() as session:
        write_marker.enqueue(session, label="b")
        session.rollback()
    assert dispatcher.dispatched == []
    with runtime(app).db.sessions() as session:
        assert session.scalars(select(JobRecord)).all() == []


def test_due_jobs_run_once_and_a_second_run_is_a_no_op(app: Flask) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        job_id = write_marker.enqueue(session, label="c").id
    assert run_due_jobs(app) == 1
    assert execute(job_id, app) is False
    assert markers(app) == ["c"]
    assert job_state(app, job_id).state == JobState.DONE


def test_a_keyed_job_asked_for_twice_is_one_job(app: Flask) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        first = write_marker.enqueue(session, label="d", key="marker:d").id
        second = write_marker.enqueue(session, label="d", key="marker:d").id
    assert first == second
    run_due_jobs(app)
    assert markers(app) == ["d"]


def test_a_delayed_job_waits_for_the_clock(app: Flask, clock: ManualClock) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        write_marker.enqueue(session, label="later", run_at=clock.now() + timedelta(minutes=5))
    assert run_due_jobs(app) == 0
    clock.advance(timedelta(minutes=5))
    assert run_due_jobs(app) == 1
    assert markers(app) == ["later"]


def test_a_failed_job_is_retried_with_backoff_and_its_work_rolled_back(app: Flask, clock: ManualClock) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        job_id = fail_then_succeed.enqueue(session, label="retry").id
    run_due_jobs(app)
    record = job_state(app, job_id)
    assert (record.state, record.attempts, record.last_error) == (JobState.PENDING, 1, "RuntimeError")
    assert record.run_at > clock.now()
    assert markers(app) == []
    clock.advance(timedelta(minutes=1))
    run_due_jobs(app)
    assert job_state(app, job_id).state == JobState.DONE
    assert markers(app) == ["retry"]


def test_a_job_that_keeps_failing_stops_at_its_limit(app: Flask, clock: ManualClock) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        job_id = always_fail.enqueue(session, label="x").id
    for _attempt in range(3):
        run_due_jobs(app)
        clock.advance(timedelta(minutes=10))
    record = job_state(app, job_id)
    assert (record.state, record.attempts) == (JobState.FAILED, 2)


def test_the_sweeper_resumes_a_job_whose_worker_died(app: Flask, clock: ManualClock) -> None:
    with app.app_context(), runtime(app).db.transaction() as session:
        record = write_marker.enqueue(session, label="orphan")
        record.state = JobState.RUNNING  # as a worker that claimed it and then died
        record.attempts = 1
        record.locked_until = clock.now() + timedelta(minutes=5)
        job_id = record.id
    assert run_due_jobs(app) == 0
    clock.advance(timedelta(minutes=6))
    sweep(app)
    assert run_due_jobs(app) == 1
    assert markers(app) == ["orphan"]
    assert job_state(app, job_id).attempts == 2


@pytest.fixture
def rq_app(tmp_path: Path, database_url: str, redis_conn: Redis, clock: ManualClock) -> Any:
    app = create_app({**settings_for(tmp_path, database_url=database_url, redis_url=TEST_REDIS_URL), "clock": clock})
    yield app
    truncate_all(app)
    runtime(app).db.dispose()


def test_jobs_run_through_real_rq_and_redis(rq_app: Flask, redis_conn: Redis) -> None:
    rt = runtime(rq_app)
    assert isinstance(rt.dispatcher, RqDispatcher)
    with rq_app.app_context(), rt.db.transaction() as session:
        write_marker.enqueue(session, label="via-rq")
    queue = Queue(queue_name(rt.settings.job_queue_prefix, "default"), connection=redis_conn)
    assert queue.count == 1
    with rq_app.app_context():
        SimpleWorker([queue], connection=redis_conn).work(burst=True)
    assert markers(rq_app) == ["via-rq"]


def test_a_flushed_redis_loses_no_job(rq_app: Flask, redis_conn: Redis, clock: ManualClock) -> None:
    rt = runtime(rq_app)
    with rq_app.app_context(), rt.db.transaction() as session:
        write_marker.enqueue(session, label="survivor")
    redis_conn.flushdb()
    queue = Queue(queue_name(rt.settings.job_queue_prefix, "default"), connection=redis_conn)
    assert queue.count == 0
    clock.advance(timedelta(minutes=1))
    with rq_app.app_context():
        assert sweep(rq_app) == 1
        SimpleWorker([queue], connection=redis_conn).work(burst=True)
    assert markers(rq_app) == ["survivor"]


def test_redis_down_delays_a_job_without_losing_it(tmp_path: Path, database_url: str, clock: ManualClock) -> None:
    app = create_app(
        {**settings_for(tmp_path, database_url=database_url, redis_url="redis://127.0.0.1:9/0"), "clock": clock}
    )
    rt = runtime(app)
    with app.app_context(), rt.db.transaction() as session:
        job_id = write_marker.enqueue(session, label="patient").id
    assert job_state(app, job_id).state == JobState.PENDING
    clock.advance(timedelta(minutes=1))
    assert run_due_jobs(app) == 1
    assert markers(app) == ["patient"]
    truncate_all(app)
    rt.db.dispose()
