"""Work that runs on a timer in every worker process (and in the embedded runner): the sweeper that re-sends
lost wake-ups, the spool that takes in what the fallback routes received while the database was down, the
escalation watchdog, and the purge of old webhook receipts."""

from __future__ import annotations

import logging

from flask import Flask

from tipline.escalation.tasks import resume_overdue_escalations
from tipline.outbox.services import scrub_anonymous
from tipline.runtime import runtime
from tipline.spool_ingest import ingest_spool
from tipline.webhooks.retention import purge_receipts
from workers.jobs import sweep

log = logging.getLogger("tipline.jobs")


def _sweep(app: Flask) -> None:
    swept = sweep(app)
    if swept:
        log.info("sweeper re-dispatched %s overdue job(s)", swept)


def _ingest(app: Flask) -> None:
    ingested = ingest_spool(app)
    if ingested:
        log.info("took %s spooled fallback record(s) into the database", ingested)


def _purge(app: Flask) -> None:
    """Old webhook receipts, and anonymous contacts' numbers on messages already settled."""
    rt = runtime(app)
    with rt.db.transaction() as session:
        purge_receipts(session, now=rt.clock.now())
        scrub_anonymous(session, rt.cipher)


# The escalation watchdog first: overdue steps and alerts stuck mid-send matter most.
PERIODIC_TASKS = (resume_overdue_escalations, _sweep, _ingest, _purge)


def run_periodic(app: Flask) -> None:
    """Every task runs even if another fails (each is retried at the next round)."""
    for task in PERIODIC_TASKS:
        try:
            task(app)
        except Exception as error:
            log.error("periodic task %s failed: %s", task.__name__, type(error).__name__)
