"""Callbacks: a caller nobody could answer asks for one (with a time that is safe for them), or a dispatcher
places one from the console. Always from the line's own number: the dispatcher's phone rings first, then the
line dials the caller, so the dispatcher never sees the caller's number. Services flush; the caller commits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.crypto import DataCipher
from tipline.outbox.models import OutboundKind
from tipline.outbox.services import queue_outbound
from tipline.roster.models import Person
from tipline.routing.models import OPEN_CALLBACK_STATES, CallbackRequest, CallbackState
from tipline.routing.services import engaged_people, mark_missed

SAFE_TIMES = {"1": "anytime", "2": "day", "3": "evening"}
BRIDGE_PATH = "/twilio/queue/callback-bridge"
DISPATCHER_RING_SECONDS = 30


class CallbackProblem(StrEnum):
    NO_NUMBER = "no_number"  # anonymous, hidden or unusable caller ID
    NO_PHONE = "no_phone"  # the dispatcher has no phone on the roster
    ENGAGED = "engaged"  # the dispatcher is already on a call for the line
    IN_PROGRESS = "in_progress"  # someone is already calling this case back


class CallbackError(Exception):
    def __init__(self, problem: CallbackProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def open_callback(session: Session, case_id: int) -> CallbackRequest | None:
    return session.scalar(
        select(CallbackRequest)
        .where(CallbackRequest.case_id == case_id, CallbackRequest.state.in_(OPEN_CALLBACK_STATES))
        .order_by(CallbackRequest.id.desc())
        .limit(1)
    )


def request_callback(
    session: Session, cipher: DataCipher, *, contact: Contact, case_id: int, number: str, now: datetime
) -> CallbackRequest:
    """The caller agreed to be called back at ``number``: only now is their number kept (encrypted)."""
    contact.caller_number_enc = cipher.encrypt(number)
    contact.caller_hash = cipher.lookup_hash(number)
    existing = open_callback(session, case_id)
    if existing is not None and existing.source == "caller":
        return existing
    callback = CallbackRequest(
        case_id=case_id, contact_id=contact.id, source="caller", state=CallbackState.REQUESTED, requested_at=now
    )
    session.add(callback)
    session.flush()
    mark_missed(session, case_id, now=now)
    record_event(
        session, "routing.callback_requested", contact_id=contact.id, case_id=case_id, data={"callback_id": callback.id}
    )
    return callback


def set_safe_time(session: Session, cipher: DataCipher, callback: CallbackRequest, *, digits: str, speech: str) -> None:
    """A key (any time, day, evening) or the caller's own words, kept encrypted."""
    if digits in SAFE_TIMES:
        callback.safe_time = SAFE_TIMES[digits]
    elif speech.strip():
        callback.safe_time = "said"
        callback.safe_time_said_enc = cipher.encrypt(speech.strip())
    record_event(
        session,
        "routing.callback_time",
        contact_id=callback.contact_id,
        case_id=callback.case_id,
        data={"callback_id": callback.id, "safe_time": callback.safe_time},
    )


def caller_number(session: Session, cipher: DataCipher, case_id: int) -> tuple[str, int] | None:
    """The most recent number the case's caller agreed to leave (never an anonymous contact's)."""
    contact = session.scalar(
        select(Contact)
        .where(Contact.case_id == case_id, Contact.caller_number_enc.is_not(None), Contact.anonymous.is_(False))
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(1)
    )
    if contact is None or contact.caller_number_enc is None:
        return None
    return cipher.decrypt_text(contact.caller_number_enc), contact.id


def place_callback(
    session: Session, cipher: DataCipher, *, case: Case, dispatcher: Person, now: datetime
) -> CallbackRequest:
    """Ring ``dispatcher``'s phone from the line; when they answer, the line dials the caller."""
    session.get(Case, case.id, with_for_update=True)  # two dispatchers calling back the same case: one wins
    if dispatcher.phone_enc is None:
        raise CallbackError(CallbackProblem.NO_PHONE)
    found = caller_number(session, cipher, case.id)
    if found is None:
        raise CallbackError(CallbackProblem.NO_NUMBER)
    if dispatcher.id in engaged_people(session, now=now):
        raise CallbackError(CallbackProblem.ENGAGED)
    callback = open_callback(session, case.id)
    if callback is not None and callback.state != CallbackState.REQUESTED:
        raise CallbackError(CallbackProblem.IN_PROGRESS)
    if callback is None:
        callback = CallbackRequest(case_id=case.id, source="dispatcher", requested_at=now)
        session.add(callback)
    callback.contact_id = found[1]
    callback.state = CallbackState.DIALING
    callback.person_id = dispatcher.id
    callback.placed_at = now
    session.flush()
    message = queue_outbound(
        session,
        cipher,
        kind=OutboundKind.CALL,
        purpose="case_callback",
        to=cipher.decrypt_text(dispatcher.phone_enc),
        idempotency_key=f"callback:{callback.id}:{now.isoformat()}",
        case_id=case.id,
        person_id=dispatcher.id,
        options={"path": BRIDGE_PATH, "ring_seconds": DISPATCHER_RING_SECONDS},
    )
    callback.outbox_id = message.id
    record_event(
        session,
        "case.callback_placed",
        case_id=case.id,
        data={"callback_id": callback.id, "person_id": dispatcher.id, "outbox_id": message.id},
    )
    return callback


def callback_dialled(session: Session, callback: CallbackRequest, *, dial_status: str, now: datetime) -> None:
    """The line's ``<Dial>`` to the caller ended: talked (the case leaves the top of the queue) or not."""
    if callback.state not in (CallbackState.DIALING, CallbackState.CONNECTED):
        return
    talked = dial_status in ("completed", "answered")
    callback.state = CallbackState.COMPLETED if talked else CallbackState.FAILED
    callback.ended_at = now
    if talked:
        case = session.get(Case, callback.case_id)
        if case is not None:
            case.missed_at = None
    record_event(
        session,
        "case.callback_" + ("completed" if talked else "unanswered"),
        case_id=callback.case_id,
        data={"callback_id": callback.id, "status": dial_status},
    )
