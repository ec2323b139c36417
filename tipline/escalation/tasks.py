"""Escalation jobs: the step timer, and the watchdog that resumes what a flushed Redis or a dead worker left.

The timer is a job with ``run_at`` (rq's scheduler in production). The watchdog runs with the periodic work
of every worker (``workers/periodic.py``): it moves on any escalation whose next step is overdue, and treats an
alert stuck in ``sending`` (its worker died mid-send) as in doubt — never resent, the next channel is tried.
Both go through ``services.advance``, which takes the row lock: whoever comes second does nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.escalation.models import AttemptState, Escalation, EscalationAttempt, EscalationState
from tipline.escalation.policy import policy
from tipline.escalation.services import advance, mark_in_doubt
from tipline.outbox.models import OutboundMessage, OutboundState
from tipline.runtime import runtime
from workers.jobs import job

log = logging.getLogger("tipline.escalation")
GRACE = timedelta(seconds=30)  # a timer job normally runs within a second of its time


@job("alerts", max_attempts=8)
def advance_escalation(session: Session, *, escalation_id: int, to_step: int) -> None:
    """Start step ``to_step`` unless the escalation was acknowledged or already moved past it."""
    if advance(session, escalation_id, to_step, reason="start" if to_step == 0 else "timeout"):
        log.info("escalation %s at step %s", escalation_id, to_step)


def resume_overdue_escalations(app: Flask, *, grace: timedelta = GRACE) -> int:
    """The watchdog. Returns how many escalations it moved on or unstuck."""
    rt = runtime(app)
    resumed = 0
    with app.app_context():
        now = rt.clock.now()
        with rt.db.sessions() as session:
            overdue = session.execute(
                select(Escalation.id, Escalation.step).where(
                    Escalation.state == EscalationState.ACTIVE, Escalation.next_step_at <= now - grace
                )
            ).all()
            stuck = session.scalars(
                select(EscalationAttempt.id)
                .join(OutboundMessage, OutboundMessage.id == EscalationAttempt.outbound_id)
                .join(Escalation, Escalation.id == EscalationAttempt.escalation_id)
                .where(
                    Escalation.state == EscalationState.ACTIVE,
                    EscalationAttempt.step == Escalation.step,
                    EscalationAttempt.state == AttemptState.QUEUED,
                    EscalationAttempt.created_at <= now - policy().in_doubt_after,
                    OutboundMessage.state == OutboundState.SENDING,
                )
            ).all()
        for escalation_id, step in overdue:  # one broken escalation must not hold the others back
            try:
                with rt.db.sessions() as session:
                    if advance(session, escalation_id, step + 1, reason="resumed"):
                        resumed += 1
                        log.warning("watchdog resumed escalation %s at step %s", escalation_id, step + 1)
                    session.commit()
            except Exception as error:
                log.error("watchdog: escalation %s could not be resumed (%s)", escalation_id, type(error).__name__)
        for attempt_id in stuck:
            try:
                with rt.db.sessions() as session:
                    attempt = session.get(EscalationAttempt, attempt_id, with_for_update=True)
                    if attempt is not None and attempt.state == AttemptState.QUEUED:
                        mark_in_doubt(session, attempt)
                        resumed += 1
                        log.warning("watchdog: alert attempt %s in doubt, next channel", attempt_id)
                    session.commit()
            except Exception as error:
                log.error("watchdog: alert attempt %s not settled (%s)", attempt_id, type(error).__name__)
    return resumed
