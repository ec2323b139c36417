"""The routing job and what wakes it: a caller joins the queue, an offer fails, a handler's call ends, a
handler becomes available, and a periodic check for as long as callers wait or phones ring."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import has_app_context
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from tipline.jobs.models import JobRecord
from tipline.outbox.models import OutboundMessage, OutboundState
from tipline.outbox.services import on_outcome
from tipline.roster.models import Person, Presence
from tipline.routing.models import CallbackRequest, CallbackState, CallOffer, OfferOutcome, QueuedCall, QueueState
from tipline.routing.policy import routing_policy
from tipline.routing.services import end_offer, route_waiting_calls
from tipline.runtime import runtime
from workers.jobs import job

log = logging.getLogger("tipline.routing")


@job("alerts")
def route_calls(session: Session) -> None:
    """Decide who is offered which call now, then come back in ``recheck_seconds`` while any call is live."""
    rt = runtime()
    policy = routing_policy()
    now = rt.clock.now()
    offers = route_waiting_calls(session, now=now, policy=policy)
    if offers:
        log.info("routing offered %s call(s)", len(offers))
    live = session.scalar(
        select(func.count())
        .select_from(QueuedCall)
        .where(QueuedCall.state.in_([QueueState.WAITING, QueueState.OFFERED]))
    )
    if live:
        tick = int(now.timestamp()) // policy.recheck_seconds + 1
        at = datetime.fromtimestamp(tick * policy.recheck_seconds, UTC)
        route_calls.enqueue(session, key=f"route:tick:{tick}", run_at=at)


@on_outcome("handler_call")
def handler_call_failed(session: Session, message: OutboundMessage) -> None:
    """No answer, busy, failed: the offer is missed. (An answered call is settled by the whisper.)"""
    if message.state != OutboundState.FAILED:
        return
    offer = session.scalar(select(CallOffer).where(CallOffer.outbox_id == message.id))
    if offer is not None and offer.outcome == OfferOutcome.PENDING:
        end_offer(session, offer, OfferOutcome.MISSED, now=runtime().clock.now(), policy=routing_policy())


@on_outcome("case_callback")
def callback_call_failed(session: Session, message: OutboundMessage) -> None:
    """The dispatcher's phone did not answer a callback they placed: the callback is open again."""
    if message.state != OutboundState.FAILED:
        return
    callback = session.scalar(select(CallbackRequest).where(CallbackRequest.outbox_id == message.id))
    if callback is not None and callback.state == CallbackState.DIALING:
        callback.state = CallbackState.REQUESTED if callback.source == "caller" else CallbackState.FAILED
        callback.person_id = None if callback.source == "caller" else callback.person_id
        callback.ended_at = runtime().clock.now()


@event.listens_for(Session, "before_flush")
def _wake_routing_on_presence(session: Session, _context: Any, _instances: Any) -> None:
    """Whoever marks a handler available (the presence API, the console, a CLI) wakes routing.

    Inside a flush the job row can only be added, not flushed on its own (``JobSpec.enqueue`` would flush):
    it joins this flush, and ``after_flush`` hands it to the dispatcher as ``enqueue`` does."""
    if not has_app_context():
        return
    for person in [*session.dirty, *session.new]:
        if not isinstance(person, Person) or person.presence != Presence.AVAILABLE:
            continue
        if inspect(person).attrs.presence.history.has_changes():
            record = JobRecord(
                name=route_calls.name,
                args={},
                queue=route_calls.queue,
                run_at=runtime().clock.now(),
                max_attempts=route_calls.max_attempts,
            )
            session.add(record)
            session.info.setdefault("routing_wake", []).append(record)
            return


@event.listens_for(Session, "after_flush")
def _dispatch_routing_wake(session: Session, _context: Any) -> None:
    for record in session.info.pop("routing_wake", []):
        session.info.setdefault("pending_jobs", []).append((record.id, record.queue, record.run_at))
