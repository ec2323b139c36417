"""Finding and opening contacts. Services flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.contacts.models import Channel, Contact, ContactStatus


def voice_contact(session: Session, call_sid: str, *, now: datetime) -> Contact:
    """The contact of a call, created on its first webhook. No caller ID is stored here: the flow stores it
    only where the caller agrees (a named tip, a callback)."""
    contact = session.scalar(select(Contact).where(Contact.twilio_sid == call_sid))
    if contact is None:
        contact = Contact(channel=Channel.VOICE, twilio_sid=call_sid, started_at=now, last_activity_at=now)
        session.add(contact)
        session.flush()
    else:
        contact.last_activity_at = now
    return contact


def close_contact(contact: Contact, *, now: datetime) -> None:
    if contact.status != ContactStatus.CLOSED:
        contact.status = ContactStatus.CLOSED
        contact.ended_at = now
