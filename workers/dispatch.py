"""How a committed job reaches a worker: rq in production, a thread in the embedded default, a list in tests."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from tipline.clock import Clock
from tipline.config import Settings

log = logging.getLogger("tipline.jobs")


class JobDispatcher(Protocol):
    def dispatch(self, job_id: int, queue: str, run_at: datetime) -> None: ...


def queue_name(prefix: str, queue: str) -> str:
    return f"{prefix}-{queue}"


class RqDispatcher:
    """Enqueue ``workers.jobs.execute(job_id)`` on rq. Redis being down only delays: the sweeper resends."""

    def __init__(self, redis: Redis, prefix: str, clock: Clock) -> None:
        self.redis = redis
        self.prefix = prefix
        self.clock = clock

    def dispatch(self, job_id: int, queue: str, run_at: datetime) -> None:
        rq_queue = Queue(queue_name(self.prefix, queue), connection=self.redis)
        try:
            if run_at - self.clock.now() > timedelta(seconds=1):
                rq_queue.enqueue_at(run_at, "workers.jobs.execute", job_id, result_ttl=0)
            else:
                rq_queue.enqueue("workers.jobs.execute", job_id, result_ttl=0)
        except RedisError as error:
            log.warning("could not wake a worker for job %s (%s); the sweeper will", job_id, type(error).__name__)


class RecordingDispatcher:
    """Tests: remember what was dispatched; the test runs due jobs itself with ``run_due_jobs``."""

    def __init__(self) -> None:
        self.dispatched: list[tuple[int, str, datetime]] = []

    def dispatch(self, job_id: int, queue: str, run_at: datetime) -> None:
        self.dispatched.append((job_id, queue, run_at))


class ThreadDispatcher:
    """The embedded default: one background thread runs due jobs and sweeps, woken at once on dispatch."""

    def __init__(self, app: Flask, *, poll_seconds: float = 1.0, sweep_every: int = 15) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.sweep_every = sweep_every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def dispatch(self, job_id: int, queue: str, run_at: datetime) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tipline-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        from workers.jobs import run_due_jobs
        from workers.periodic import run_periodic

        rounds = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                with self.app.app_context():
                    if rounds % self.sweep_every == 0:
                        run_periodic(self.app)
                    run_due_jobs(self.app)
            except Exception as error:  # keep the loop alive through a database hiccup
                log.error("embedded job runner: %s", type(error).__name__)
            rounds += 1
            self._wake.wait(self.poll_seconds)


def choose_dispatcher(app: Flask, settings: Settings, clock: Clock) -> JobDispatcher:
    """rq when ``REDIS_URL`` is set; otherwise the embedded in-process runner."""
    if settings.redis_url:
        return RqDispatcher(Redis.from_url(settings.redis_url), settings.job_queue_prefix, clock)
    return ThreadDispatcher(app)
