"""Outbox rows and the status callbacks that move them. Callbacks may arrive late, twice or out of order:
a row never moves backwards, and a final state (delivered, failed) is never undone by a late 'sent'."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.outbox.models import OutboundMessage, OutboundState

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
