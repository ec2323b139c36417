"""One ``@job`` decorator for every background job.

A job is a row in ``jobs`` first (committed with the work that asked for it), then a wake-up sent to a worker
after commit. Running a job claims the row atomically, gives the function its own session, marks it done in
the same transaction as its work, and on failure schedules a retry with backoff. A job may run twice (a
re-dispatch, a sweeper, a killed worker): every job must be idempotent, and the claim makes a second
concurrent run a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tipline.jobs.models import JobRecord, JobState
from tipline.runtime import runtime
from workers.dispatch import JobDispatcher

log = logging.getLogger("tipline.jobs")

JobFunction = Callable[..., None]
REGISTRY: dict[str, JobSpec] = {}


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    queue: str
    max_attempts: int
    lease: timedelta

    def __call__(self, session: Session, **kwargs: Any) -> None:
        self.function(session, **kwargs)

    def enqueue(
        self,
        session: Session,
        *,
        run_at: datetime | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> JobRecord:
        """Record the job in this session's transaction; it is dispatched once the caller commits.

        With ``key``, asking twice gives the same job (the first one)."""
        if key is not None:
            existing = session.scalar(select(JobRecord).where(JobRecord.key == key))
            if existing is not None:
                return existing
        when = run_at or runtime().clock.now()
        record = JobRecord(
            name=self.name,
            args=kwargs,
            queue=self.queue,
            key=key,
            run_at=when,
            max_attempts=self.max_attempts,
        )
        if key is None:
            session.add(record)
            session.flush()
        else:
            try:
                with session.begin_nested():
                    session.add(record)
            except IntegrityError:
                found = session.scalar(select(JobRecord).where(JobRecord.key == key))
                if found is None:
                    raise
                return found
        session.info.setdefault("pending_jobs", []).append((record.id, record.queue, record.run_at))
        return record


def job(
    queue: str = "default", *, max_attempts: int = 5, lease: timedelta = timedelta(minutes=5)
) -> Callable[[JobFunction], JobSpec]:
    """Register ``function(session, **ids)`` as a job. Jobs take IDs, never ORM objects."""

    def register(function: JobFunction) -> JobSpec:
        name = f"{function.__module__}:{function.__qualname__}"
        spec = JobSpec(name=name, function=function, queue=queue, max_attempts=max_attempts, lease=lease)
        REGISTRY[name] = spec
        return spec

    return register


def dispatch_committed_jobs(session: Session, *, dispatcher: JobDispatcher) -> None:
    """After-commit hook: wake a worker for every job the committed transaction recorded."""
    for job_id, queue, run_at in session.info.pop("pending_jobs", []):
        dispatcher.dispatch(job_id, queue, run_at)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1) * 5))


def execute(job_id: int, app: Flask | None = None) -> bool:
    """Run one job if it is still due and nobody else holds it. Returns whether it ran."""
    target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    rt = runtime(target)
    now = rt.clock.now()
    with rt.db.sessions() as session:
        record = session.get(JobRecord, job_id)
        if record is None or record.name not in REGISTRY:
            if record is not None:
                log.error("job %s has unknown name %s", job_id, record.name)
            return False
        spec = REGISTRY[record.name]
        claimed = session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id, JobRecord.state == JobState.PENDING, JobRecord.run_at <= now)
            .values(state=JobState.RUNNING, attempts=JobRecord.attempts + 1, locked_until=now + spec.lease)
        )
        session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        args = dict(record.args)
        attempts = record.attempts
        max_attempts = record.max_attempts
    try:
        with target.app_context(), rt.db.sessions() as work:
            spec.function(work, **args)
            work.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id)
                .values(state=JobState.DONE, finished_at=rt.clock.now(), locked_until=None, last_error=None)
            )
            work.commit()
    except Exception as error:  # a job's failure must never take the worker down
        _record_failure(target, job_id, spec, attempts, max_attempts, error)
        return True
    log.info("job %s (%s) done", job_id, spec.name)
    return True


def _record_failure(app: Flask, job_id: int, spec: JobSpec, attempts: int, max_attempts: int, error: Exception) -> None:
    rt = runtime(app)
    now = rt.clock.now()
    # The type and a Twilio error code are enough to diagnose; messages may carry personal data.
    summary = type(error).__name__ + (f" code={error.code}" if hasattr(error, "code") else "")
    final = attempts >= max_attempts
    with rt.db.sessions() as session:
        retry_at = now + backoff(attempts)
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id)
            .values(
                state=JobState.FAILED if final else JobState.PENDING,
                run_at=retry_at,
                locked_until=None,
                last_error=summary,
                finished_at=now if final else None,
            )
        )
        if not final:
            session.info.setdefault("pending_jobs", []).append((job_id, spec.queue, retry_at))
        session.commit()
    if final:
        log.error("job %s (%s) failed for good after %s attempts: %s", job_id, spec.name, attempts, summary)
    else:
        log.warning("job %s (%s) failed (attempt %s), retrying: %s", job_id, spec.name, attempts, summary)


def run_due_jobs(app: Flask, *, limit: int = 100) -> int:
    """Run every job that is due now (embedded runner and tests). Returns how many ran."""
    rt = runtime(app)
    ran = 0
    for _round in range(limit):
        with rt.db.sessions() as session:
            due = session.scalars(
                select(JobRecord.id)
                .where(JobRecord.state == JobState.PENDING, JobRecord.run_at <= rt.clock.now())
                .order_by(JobRecord.run_at, JobRecord.id)
                .limit(limit)
            ).all()
        if not due:
            break
        progressed = False
        for job_id in due:
            if execute(job_id, app):
                ran += 1
                progressed = True
        if not progressed:
            break
    return ran


def sweep(app: Flask, *, grace: timedelta = timedelta(seconds=30)) -> int:
    """Find work a lost wake-up or a dead worker left behind, and dispatch it again. Returns the count."""
    rt = runtime(app)
    now = rt.clock.now()
    with rt.db.sessions() as session:
        session.execute(
            update(JobRecord)
            .where(JobRecord.state == JobState.RUNNING, JobRecord.locked_until < now)
            .values(state=JobState.PENDING, locked_until=None, run_at=now)
        )
        overdue = session.execute(
            select(JobRecord.id, JobRecord.queue, JobRecord.run_at).where(
                JobRecord.state == JobState.PENDING, JobRecord.run_at <= now - grace
            )
        ).all()
        session.commit()
    for job_id, queue, run_at in overdue:
        rt.dispatcher.dispatch(job_id, queue, run_at)
    return len(overdue)
