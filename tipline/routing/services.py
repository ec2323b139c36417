"""The live queue's decisions: who may take a call, which waiting caller goes to which free handler, and what
happens to an offer. Services flush; the caller (a webhook view, the routing job) commits.

Order: priority, then waiting time. Language first: a caller is offered to a handler who speaks their
language; after ``language_wait_seconds``, to anyone free. A handler is free when on duty, present
(``available``), with a phone, and not already ringing or talking for the line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.outbox.models import OutboundKind
from tipline.outbox.services import queue_outbound
from tipline.roster.models import Person, Presence, Role
from tipline.roster.services import on_duty
from tipline.routing.models import (
    CallbackRequest,
    CallbackState,
    CallOffer,
    LeaveReason,
    OfferOutcome,
    QueuedCall,
    QueueState,
)
from tipline.routing.policy import RoutingPolicy
from tipline.runtime import runtime

HANDLER_ROLES = (Role.DISPATCHER, Role.SUPERVISOR)
ROUTING_LOCK = 0x7469_7001  # one routing decision at a time (PostgreSQL advisory lock)
CALLBACK_ENGAGES_FOR = timedelta(hours=2)  # a callback whose end we never heard of stops counting after this
WHISPER_PATH = "/twilio/queue/whisper"


@dataclass(frozen=True)
class Offer:
    offer_id: int
    queued_call_id: int
    person_id: int
    language_match: bool


# --- who ------------------------------------------------------------------------------------------------


def engaged_people(session: Session, *, now: datetime) -> set[int]:
    """Handlers the line is already ringing or connecting: never offered another call."""
    ringing = select(CallOffer.person_id).where(CallOffer.outcome == OfferOutcome.PENDING)
    talking = select(QueuedCall.bridged_to_id).where(
        QueuedCall.state == QueueState.BRIDGED, QueuedCall.bridged_to_id.is_not(None)
    )
    calling_back = select(CallbackRequest.person_id).where(
        CallbackRequest.state.in_([CallbackState.DIALING, CallbackState.CONNECTED]),
        CallbackRequest.person_id.is_not(None),
        CallbackRequest.placed_at > now - CALLBACK_ENGAGES_FOR,
    )
    found = session.scalars(ringing.union(talking, calling_back)).all()
    return {person_id for person_id in found if person_id is not None}


def handlers_on_duty(session: Session, *, now: datetime) -> list[Person]:
    """Dispatchers (then supervisors) on duty with a phone, present or not."""
    people = [
        person
        for person in on_duty(session, at=now)
        if person.role in HANDLER_ROLES and person.phone_enc is not None and person.presence != Presence.AWAY
    ]
    return sorted(people, key=lambda person: (person.role != Role.DISPATCHER, person.id))


def anyone_to_answer(session: Session, *, now: datetime) -> bool:
    """Is anybody on duty who could take a call (now or once free)?"""
    return bool(handlers_on_duty(session, now=now))


def free_handlers(session: Session, *, now: datetime) -> list[Person]:
    """Handlers who may be offered a call now, the one idle longest first (dispatchers before supervisors)."""
    engaged = engaged_people(session, now=now)
    people = [
        person
        for person in handlers_on_duty(session, now=now)
        if person.presence == Presence.AVAILABLE and person.id not in engaged
    ]
    if not people:
        return []
    last_offer = dict(
        session.execute(
            select(CallOffer.person_id, func.max(CallOffer.offered_at))
            .where(CallOffer.person_id.in_([person.id for person in people]))
            .group_by(CallOffer.person_id)
        ).all()
    )
    never = datetime.min.replace(tzinfo=now.tzinfo)
    return sorted(
        people, key=lambda person: (person.role != Role.DISPATCHER, last_offer.get(person.id) or never, person.id)
    )


# --- the queue ------------------------------------------------------------------------------------------


def enqueue_call(
    session: Session, *, contact: Contact, case: Case, call_sid: str, language: str | None, now: datetime
) -> QueuedCall:
    """The caller joins the queue (once per call: a retried webhook finds the same row)."""
    existing = session.scalar(select(QueuedCall).where(QueuedCall.contact_id == contact.id))
    if existing is not None:
        return existing
    call = QueuedCall(
        contact_id=contact.id,
        case_id=case.id,
        call_sid=call_sid,
        queue_name=f"tl-{contact.id}",
        language=language,
        state=QueueState.WAITING,
        enqueued_at=now,
    )
    session.add(call)
    session.flush()
    record_event(
        session,
        "routing.enqueued",
        contact_id=contact.id,
        case_id=case.id,
        data={"queued_call_id": call.id, "priority": case.priority, "language": language},
    )
    return call


def waiting_order(session: Session) -> list[tuple[QueuedCall, str]]:
    """Live calls (waiting or being offered) with their case's priority, in the order they are served."""
    rows = session.execute(
        select(QueuedCall, Case.priority)
        .join(Case, Case.id == QueuedCall.case_id)
        .where(QueuedCall.state.in_([QueueState.WAITING, QueueState.OFFERED]))
        .order_by(Case.priority, QueuedCall.enqueued_at, QueuedCall.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def queue_position(session: Session, call: QueuedCall) -> int:
    """1 for the next caller to be served."""
    for index, (live, _priority) in enumerate(waiting_order(session), start=1):
        if live.id == call.id:
            return index
    return 1


def mark_missed(session: Session, case_id: int, *, now: datetime) -> None:
    case = session.get(Case, case_id)
    if case is not None and case.missed_at is None:
        case.missed_at = now


def leave_queue(session: Session, call: QueuedCall, reason: LeaveReason, *, now: datetime) -> None:
    """The caller goes on to a message (and perhaps a callback); the case tops the dispatchers' queue."""
    if call.state not in (QueueState.WAITING, QueueState.OFFERED):
        return
    cancel_pending_offer(session, call, now=now)
    call.state = QueueState.LEFT
    call.leave_reason = reason
    call.ended_at = now
    mark_missed(session, call.case_id, now=now)
    record_event(
        session,
        "routing.left_queue",
        contact_id=call.contact_id,
        case_id=call.case_id,
        data={"queued_call_id": call.id, "reason": str(reason)},
    )


def caller_gone(session: Session, call: QueuedCall, *, now: datetime, result: str) -> None:
    """Twilio's ``<Enqueue>`` action: the call left the queue (hung up, bridged and done, error)."""
    if call.state == QueueState.BRIDGED and result == "bridged":
        finish_bridged(session, call, now=now)
        return
    if call.state in (QueueState.WAITING, QueueState.OFFERED):
        cancel_pending_offer(session, call, now=now)
        call.state = QueueState.ABANDONED
        call.ended_at = now
        mark_missed(session, call.case_id, now=now)
        record_event(
            session,
            "routing.abandoned",
            contact_id=call.contact_id,
            case_id=call.case_id,
            data={"queued_call_id": call.id, "result": result},
        )


def finish_bridged(session: Session, call: QueuedCall, *, now: datetime) -> None:
    if call.state != QueueState.BRIDGED:
        return
    call.state = QueueState.COMPLETED
    call.ended_at = now
    record_event(session, "routing.call_ended", contact_id=call.contact_id, case_id=call.case_id, data={})
    request_routing(session, f"ended:{call.id}")  # the handler is free again


def bridge_failed(session: Session, call: QueuedCall, *, now: datetime, status: str) -> None:
    """The handler accepted but the caller was gone before the bridge: the case tops the queue."""
    if call.state != QueueState.BRIDGED:
        return
    call.state = QueueState.ABANDONED
    call.ended_at = now
    mark_missed(session, call.case_id, now=now)
    record_event(
        session, "routing.bridge_failed", contact_id=call.contact_id, case_id=call.case_id, data={"status": status}
    )
    request_routing(session, f"ended:{call.id}")


def wait_decision(session: Session, call: QueuedCall, *, now: datetime, policy: RoutingPolicy) -> LeaveReason | None:
    """Asked at every turn of the hold loop: should this caller stop waiting? Never while a phone rings."""
    if call.state != QueueState.WAITING:
        return None
    if now - call.enqueued_at >= timedelta(seconds=policy.max_wait_seconds):
        return LeaveReason.TIMEOUT
    if not anyone_to_answer(session, now=now):
        return LeaveReason.NOBODY
    return None


# --- offers ---------------------------------------------------------------------------------------------


def _lock_routing(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROUTING_LOCK})


def route_waiting_calls(session: Session, *, now: datetime, policy: RoutingPolicy) -> list[Offer]:
    """Offer each waiting caller, in order, to the best free handler. One decision at a time."""
    _lock_routing(session)
    expire_stale_offers(session, now=now, policy=policy)
    waiting = [(call, priority) for call, priority in waiting_order(session) if call.state == QueueState.WAITING]
    if not waiting:
        return []
    free = free_handlers(session, now=now)
    offers: list[Offer] = []
    for call, _priority in waiting:
        if not free:
            break
        recent = _recently_refused(session, call, now=now, policy=policy)
        candidates = [person for person in free if person.id not in recent]
        speaks = [person for person in candidates if call.language in person.languages]
        widened = now - call.enqueued_at >= timedelta(seconds=policy.language_wait_seconds)
        pool = speaks or (candidates if widened or call.language is None else [])
        if not pool:
            continue
        handler = pool[0]
        offers.append(offer_call(session, call, handler, now=now, policy=policy, language_match=bool(speaks)))
        free.remove(handler)
    return offers


def _recently_refused(session: Session, call: QueuedCall, *, now: datetime, policy: RoutingPolicy) -> set[int]:
    since = now - timedelta(seconds=policy.reoffer_after_seconds)
    return set(
        session.scalars(
            select(CallOffer.person_id).where(
                CallOffer.queued_call_id == call.id,
                CallOffer.outcome.in_([OfferOutcome.DECLINED, OfferOutcome.MISSED]),
                or_(CallOffer.ended_at.is_(None), CallOffer.ended_at > since),
            )
        )
    )


def offer_call(
    session: Session, call: QueuedCall, handler: Person, *, now: datetime, policy: RoutingPolicy, language_match: bool
) -> Offer:
    """Ring ``handler`` for ``call`` through the outbox; the whisper tells them priority, language, category."""
    rt = runtime()
    assert handler.phone_enc is not None
    offer = CallOffer(queued_call_id=call.id, person_id=handler.id, offered_at=now, outcome=OfferOutcome.PENDING)
    session.add(offer)
    session.flush()
    call.state = QueueState.OFFERED
    message = queue_outbound(
        session,
        rt.cipher,
        kind=OutboundKind.CALL,
        purpose="handler_call",
        to=rt.cipher.decrypt_text(handler.phone_enc),
        idempotency_key=f"offer:{offer.id}",
        case_id=call.case_id,
        person_id=handler.id,
        options={"path": WHISPER_PATH, "ring_seconds": policy.ring_seconds},
    )
    offer.outbox_id = message.id
    record_event(
        session,
        "routing.offered",
        contact_id=call.contact_id,
        case_id=call.case_id,
        data={"offer_id": offer.id, "person_id": handler.id, "language_match": language_match},
    )
    return Offer(offer.id, call.id, handler.id, language_match)


def end_offer(
    session: Session, offer: CallOffer, outcome: OfferOutcome, *, now: datetime, policy: RoutingPolicy
) -> bool:
    """Settle a pending offer once; a missed or declined one goes back to the queue and routing runs again."""
    if offer.outcome != OfferOutcome.PENDING:
        return False
    offer.outcome = outcome
    offer.ended_at = now
    call = session.get(QueuedCall, offer.queued_call_id)
    if call is not None and call.state == QueueState.OFFERED:
        if outcome == OfferOutcome.ACCEPTED:
            call.state = QueueState.BRIDGED
            call.bridged_to_id = offer.person_id
        else:
            call.state = QueueState.WAITING
    session.flush()
    record_event(
        session,
        f"routing.offer_{outcome}",
        contact_id=call.contact_id if call else None,
        case_id=call.case_id if call else None,
        data={"offer_id": offer.id, "person_id": offer.person_id},
    )
    if outcome == OfferOutcome.MISSED:
        _away_after_misses(session, offer.person_id, policy=policy)
    if outcome != OfferOutcome.ACCEPTED:
        request_routing(session, f"offer:{offer.id}")
    return True


def cancel_pending_offer(session: Session, call: QueuedCall, *, now: datetime) -> None:
    offer = session.scalar(
        select(CallOffer).where(CallOffer.queued_call_id == call.id, CallOffer.outcome == OfferOutcome.PENDING)
    )
    if offer is not None:
        offer.outcome = OfferOutcome.CANCELLED
        offer.ended_at = now
        session.flush()


def accept_offer(session: Session, offer_id: int, *, now: datetime, policy: RoutingPolicy) -> QueuedCall | None:
    """The handler pressed 1. The call is theirs only if the caller is still waiting for this very offer."""
    offer = session.get(CallOffer, offer_id, with_for_update=True)
    if offer is None:
        return None
    call = session.get(QueuedCall, offer.queued_call_id, with_for_update=True)
    if offer.outcome != OfferOutcome.PENDING or call is None or call.state != QueueState.OFFERED:
        return None
    end_offer(session, offer, OfferOutcome.ACCEPTED, now=now, policy=policy)
    return call


def expire_stale_offers(session: Session, *, now: datetime, policy: RoutingPolicy) -> int:
    """Offers nobody settled in time (answered, then silence or a hang-up) count as missed."""
    deadline = now - timedelta(seconds=policy.offer_timeout_seconds)
    stale = session.scalars(
        select(CallOffer).where(CallOffer.outcome == OfferOutcome.PENDING, CallOffer.offered_at < deadline)
    ).all()
    for offer in stale:
        end_offer(session, offer, OfferOutcome.MISSED, now=now, policy=policy)
    return len(stale)


def _away_after_misses(session: Session, person_id: int, *, policy: RoutingPolicy) -> None:
    recent: Sequence[str] = session.scalars(
        select(CallOffer.outcome)
        .where(
            CallOffer.person_id == person_id,
            CallOffer.outcome.in_([OfferOutcome.MISSED, OfferOutcome.DECLINED, OfferOutcome.ACCEPTED]),
        )
        .order_by(CallOffer.offered_at.desc(), CallOffer.id.desc())
        .limit(policy.misses_before_away)
    ).all()
    if len(recent) < policy.misses_before_away or any(outcome != OfferOutcome.MISSED for outcome in recent):
        return
    person = session.get(Person, person_id)
    if person is not None and person.presence == Presence.AVAILABLE:
        person.presence = Presence.AWAY
        record_event(session, "routing.handler_away", data={"person_id": person_id, "misses": len(recent)})


def request_routing(session: Session, reason: str) -> None:
    """Ask for a routing decision once the caller's transaction commits (``reason`` makes it idempotent)."""
    from tipline.routing.jobs import route_calls

    route_calls.enqueue(session, key=f"route:{reason}")
