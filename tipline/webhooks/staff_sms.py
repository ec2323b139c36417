"""Texts from staff phones (an ÉSUP member answering an alert, say) are not a texter's conversation: they go
to the handlers registered here, first one that answers wins."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.roster.models import Person

StaffSmsHandler = Callable[[Session, Person, str], str | None]
_HANDLERS: list[StaffSmsHandler] = []


def on_staff_sms(handler: StaffSmsHandler) -> StaffSmsHandler:
    """Register ``handler(session, person, body) -> reply text or None (not mine)``."""
    _HANDLERS.append(handler)
    return handler


def staff_member(session: Session, cipher: DataCipher, number: str) -> Person | None:
    return session.scalar(
        select(Person).where(Person.phone_hash.in_(cipher.lookup_hashes(number)), Person.active).limit(1)
    )


def staff_reply(session: Session, cipher: DataCipher, number: str, body: str) -> str | None:
    """The reply to a staff member's text, or None when the sender is not staff or no handler claims it."""
    person = staff_member(session, cipher, number)
    if person is None:
        return None
    for handler in _HANDLERS:
        reply = handler(session, person, body)
        if reply is not None:
            return reply
    return None
