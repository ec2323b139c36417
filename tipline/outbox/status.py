"""Twilio's status callbacks for what the line sent (and for calls that came in), as services: the webhooks
call them, and so does the spool ingest for callbacks that arrived while the database was down."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.services import close_contact, voice_contact
from tipline.outbox.services import FINAL_STATES, apply_status, find_outbound, notify_outcome

FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def _settle(
    session: Session, params: Mapping[str, str], *, outbox_id: int | None, sid: str, status: str, kind: str
) -> None:
    message = find_outbound(session, sid=sid or None, outbox_id=outbox_id)
    if message is None:
        return
    changed = apply_status(message, sid=sid or None, twilio_status=status, error_code=params.get("ErrorCode"))
    record_event(
        session,
        kind,
        contact_id=message.contact_id,
        case_id=message.case_id,
        data={**safe_params(params), "outbox_id": message.id, "changed": changed},
    )
    if changed and message.state in FINAL_STATES:
        notify_outcome(session, message)


def message_status(session: Session, params: Mapping[str, str], *, outbox_id: int | None) -> None:
    _settle(
        session,
        params,
        outbox_id=outbox_id,
        sid=params.get("MessageSid", ""),
        status=params.get("MessageStatus", ""),
        kind="sms.status",
    )


def call_status(session: Session, params: Mapping[str, str], *, outbox_id: int | None, now: datetime) -> None:
    """A call the line placed (an alert, an offer, a callback), or the end of a call that came in."""
    call_sid, status = params.get("CallSid", ""), params.get("CallStatus", "")
    if outbox_id is not None:
        _settle(session, params, outbox_id=outbox_id, sid=call_sid, status=status, kind="call.status")
    elif call_sid:
        contact = voice_contact(session, call_sid, now=now)
        record_event(session, "voice.status", contact_id=contact.id, data=safe_params(params))
        if status in FINAL_CALL_STATUSES:
            close_contact(contact, now=now)
