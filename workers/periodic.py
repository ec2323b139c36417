"""Work that runs on a timer in every worker process (and in the embedded runner): the sweeper that re-sends
lost wake-ups, and the spool that takes in what the fallback routes received while the database was down."""

from __future__ import annotations

import logging

from flask import Flask

from tipline.escalation.tasks import resume_overdue_escalations
from tipline.spool_ingest import ingest_spool
from workers.jobs import sweep

log = logging.getLogger("tipline.jobs")


def run_periodic(app: Flask) -> None:
    swept = sweep(app)
    if swept:
        log.info("sweeper re-dispatched %s overdue job(s)", swept)
    ingested = ingest_spool(app)
    if ingested:
        log.info("took %s spooled fallback record(s) into the database", ingested)
    resume_overdue_escalations(app)  # the escalation watchdog: overdue steps, alerts stuck mid-send
