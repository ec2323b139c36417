"""The worker process (``tipline worker``, the Procfile's ``worker``): an rq worker with its scheduler for
delayed jobs, and a thread that runs the periodic sweeper, inside the app context."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker

from tipline.runtime import runtime
from workers.dispatch import queue_name
from workers.periodic import run_periodic

log = logging.getLogger("tipline.jobs")
QUEUES = ("alerts", "default", "media")  # most urgent first: rq serves queues in this order


def _periodic_loop(app: Flask, stop: threading.Event, every_seconds: float) -> None:
    while not stop.wait(every_seconds):
        try:
            with app.app_context():
                run_periodic(app)
        except Exception as error:
            log.error("periodic work failed: %s", type(error).__name__)


def run_worker(app: Flask, *, burst: bool = False, periodic_seconds: float = 15.0) -> bool:
    settings = runtime(app).settings
    connection = Redis.from_url(settings.redis_url)
    queues = [Queue(queue_name(settings.job_queue_prefix, name), connection=connection) for name in QUEUES]
    # SimpleWorker runs jobs in this process: no fork per job, so an alert leaves within milliseconds and the
    # database pool is reused. Jobs bound their own I/O with timeouts.
    worker = SimpleWorker(queues, connection=connection)
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_periodic_loop, args=(app, stop, periodic_seconds), daemon=True).start()
    try:
        with app.app_context():
            run_periodic(app)
            return bool(worker.work(burst=burst, with_scheduler=True))
    finally:
        stop.set()
