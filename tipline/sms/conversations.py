"""One conversation per sender: found by the number's keyed hash (the number itself is stored encrypted),
ended after a quiet spell, and attached to the texter's open case when they come back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tipline.cases.models import Case, CaseStatus
from tipline.contacts.models import Channel, Contact, ContactStatus, Event
from tipline.crypto import DataCipher

# A conversation with no message for this long is over; the next text starts a new one (with the welcome
# again), attached to the texter's open case if there is one. A module constant until the lead decides
# whether it becomes a setting.
CONVERSATION_IDLE_EXPIRY = timedelta(hours=24)


def active_conversation(session: Session, cipher: DataCipher, number: str) -> Contact | None:
    """The sender's live conversation, locked for this transaction (two texts of one sender run in turn)."""
    return session.scalar(
        select(Contact)
        .where(
            Contact.channel == Channel.SMS,
            Contact.caller_hash.in_(cipher.lookup_hashes(number)),
            Contact.status == ContactStatus.ACTIVE,
        )
        .order_by(Contact.id.desc())
        .limit(1)
        .with_for_update()
    )


def open_case_of(session: Session, cipher: DataCipher, number: str) -> int | None:
    """The case of this texter's latest earlier conversation, if that case is still open (and not anonymous)."""
    found: int | None = session.scalar(
        select(Contact.case_id)
        .join(Case, Case.id == Contact.case_id)
        .where(
            Contact.channel == Channel.SMS,
            Contact.caller_hash.in_(cipher.lookup_hashes(number)),
            Contact.anonymous.is_(False),
            Case.status != CaseStatus.RESOLVED,
        )
        .order_by(Contact.id.desc())
        .limit(1)
    )
    return found


def open_conversation(session: Session, cipher: DataCipher, number: str, *, now: datetime) -> tuple[Contact, bool]:
    """The sender's conversation, a new one when there is none or the last one went quiet. (contact, is new)"""
    from tipline.sms.tasks import schedule_expiry

    contact = active_conversation(session, cipher, number)
    if contact is not None and now - contact.last_activity_at >= CONVERSATION_IDLE_EXPIRY:
        end_conversation(contact, now=now)
        contact = None
    created = contact is None
    if contact is None:
        contact = Contact(
            channel=Channel.SMS,
            caller_number_enc=cipher.encrypt(number),
            caller_hash=cipher.lookup_hash(number),
            case_id=open_case_of(session, cipher, number),
            started_at=now,
            last_activity_at=now,
        )
        session.add(contact)
        session.flush()
        schedule_expiry(session, contact)
    contact.last_activity_at = now
    return contact, created


def end_conversation(contact: Contact, *, now: datetime) -> None:
    """Close the conversation. An anonymous texter's number is erased now: it was kept only to answer them."""
    if contact.status != ContactStatus.CLOSED:
        contact.status = ContactStatus.CLOSED
        contact.ended_at = now
    if contact.anonymous:
        contact.caller_number_enc = None
        contact.caller_hash = None


def link_events_to_case(session: Session, contact: Contact) -> None:
    """Messages that came before the conversation had a case belong to it once it has one."""
    if contact.case_id is None:
        return
    session.execute(
        update(Event)
        .where(Event.contact_id == contact.id, Event.case_id.is_(None))
        .values(case_id=contact.case_id)
        .execution_options(synchronize_session="fetch")
    )


def case_conversation(session: Session, case_id: int) -> Contact | None:
    """The case's latest SMS conversation that can still be answered (its number is known)."""
    return session.scalar(
        select(Contact)
        .where(Contact.case_id == case_id, Contact.channel == Channel.SMS, Contact.caller_number_enc.is_not(None))
        .order_by(Contact.last_activity_at.desc(), Contact.id.desc())
        .limit(1)
    )
