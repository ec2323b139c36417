"""Outbox rows and the status callbacks that move them. Callbacks may arrive late, twice or out of order:
a row never moves backwards, and a final state (delivered, failed) is never undone by a late 'sent'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.outbox.models import OutboundKind, OutboundMessage, OutboundState

# Twilio's message and call statuses, mapped onto the outbox's own states.
TWILIO_TO_STATE = {
    "accepted": OutboundState.SENT,
    "scheduled": OutboundState.SENT,
    "queued": OutboundState.SENT,
    "sending": OutboundState.SENT,
    "sent": OutboundState.SENT,
    "initiated": OutboundState.SENT,
    "ringing": OutboundState.SENT,
    "delivered": OutboundState.DELIVERED,
    "read": OutboundState.DELIVERED,
    "in-progress": OutboundState.DELIVERED,
    "answered": OutboundState.DELIVERED,
    "completed": OutboundState.DELIVERED,
    "undelivered": OutboundState.FAILED,
    "failed": OutboundState.FAILED,
    "busy": OutboundState.FAILED,
    "no-answer": OutboundState.FAILED,
    "canceled": OutboundState.FAILED,
}
FINAL_STATES = frozenset({OutboundState.DELIVERED, OutboundState.FAILED})
RANK = {
    OutboundState.PENDING: 0,
    OutboundState.SENDING: 1,
    OutboundState.SENT: 2,
    OutboundState.DELIVERED: 3,
    OutboundState.FAILED: 3,
    OutboundState.CANCELLED: 3,
}


def find_outbound(session: Session, *, sid: str | None, outbox_id: int | None) -> OutboundMessage | None:
    if outbox_id is not None:
        found = session.get(OutboundMessage, outbox_id)
        if found is not None:
            return found
    if sid:
        return session.scalar(select(OutboundMessage).where(OutboundMessage.twilio_sid == sid))
    return None


def apply_status(message: OutboundMessage, *, sid: str | None, twilio_status: str, error_code: str | None) -> bool:
    """Move ``message`` to what Twilio reports. Returns whether its state changed."""
    if sid and message.twilio_sid is None:
        message.twilio_sid = sid  # the sending job died before it could save the SID
    new_state = TWILIO_TO_STATE.get(twilio_status)
    if new_state is None:
        return False
    current = OutboundState(message.state)
    if RANK[new_state] < RANK[current] or (RANK[current] == 3 and new_state != current):
        return False
    changed = new_state != current
    message.state = new_state
    message.twilio_status = twilio_status
    if error_code:
        message.error_code = error_code
    return changed


OutcomeListener = Callable[[Session, OutboundMessage], None]
_LISTENERS: dict[str, list[OutcomeListener]] = {}


def on_outcome(purpose: str) -> Callable[[OutcomeListener], OutcomeListener]:
    """Register a listener told when a row of ``purpose`` is delivered or fails (escalation moves on)."""

    def register(listener: OutcomeListener) -> OutcomeListener:
        _LISTENERS.setdefault(purpose, []).append(listener)
        return listener

    return register


def notify_outcome(session: Session, message: OutboundMessage) -> None:
    for listener in _LISTENERS.get(message.purpose, []):
        listener(session, message)


def queue_outbound(
    session: Session,
    cipher: DataCipher,
    *,
    kind: OutboundKind,
    purpose: str,
    to: str,
    idempotency_key: str,
    body: str | None = None,
    contact_id: int | None = None,
    case_id: int | None = None,
    person_id: int | None = None,
    options: dict[str, Any] | None = None,
) -> OutboundMessage:
    """Write the outbox row and its sending job; both go with the caller's commit. Asking twice with the
    same key gives the first row: one message per step and person, however often a job runs."""
    from tipline.outbox.sender import send_outbound

    existing = session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    message = OutboundMessage(
        kind=kind,
        purpose=purpose,
        idempotency_key=idempotency_key,
        to_enc=cipher.encrypt(to),
        to_hash=cipher.lookup_hash(to),
        body_enc=cipher.encrypt(body) if body else None,
        contact_id=contact_id,
        case_id=case_id,
        person_id=person_id,
        options=options or {},
    )
    session.add(message)
    session.flush()
    send_outbound.enqueue(session, outbound_id=message.id, key=f"send:{message.id}")
    return message


def scrub_anonymous(session: Session, cipher: DataCipher) -> int:
    """Forget the number on settled messages to anonymous contacts (it was kept only to send them)."""
    from tipline.contacts.models import Contact

    rows = session.scalars(
        select(OutboundMessage)
        .join(Contact, Contact.id == OutboundMessage.contact_id)
        .where(
            Contact.anonymous,
            OutboundMessage.to_hash != "",
            OutboundMessage.state.in_([*FINAL_STATES, OutboundState.CANCELLED]),
        )
    ).all()
    for message in rows:
        message.to_enc = cipher.encrypt("")
        message.to_hash = ""
    return len(rows)
