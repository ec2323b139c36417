"""Replies to one number are limited, counted from the database so that the limit holds across processes.

A flood (a script, a stuck phone, a person in distress sending a message a second) is stored in full; only
the line's automatic replies stop for a while. STOP, START and URGENT are always answered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline.contacts.events import record_event
from tipline.contacts.models import Contact, Event
from tipline.crypto import DataCipher
from tipline.flows import sms_segments

REPLY_WINDOW = timedelta(minutes=1)
MAX_REPLIES_PER_WINDOW = 10  # answered webhooks (each may carry a few <Message>) per number per window
REPLY_EVENT = "sms.reply"


def replies_in_window(session: Session, cipher: DataCipher, number: str, *, now: datetime) -> int:
    count: int = (
        session.scalar(
            select(func.count(Event.id))
            .join(Contact, Contact.id == Event.contact_id)
            .where(
                Event.kind == REPLY_EVENT,
                Event.at > now - REPLY_WINDOW,
                Contact.caller_hash.in_(cipher.lookup_hashes(number)),
            )
        )
        or 0
    )
    return count


def may_reply(session: Session, cipher: DataCipher, number: str, *, now: datetime) -> bool:
    return replies_in_window(session, cipher, number, now=now) < MAX_REPLIES_PER_WINDOW


def record_replies(
    session: Session,
    cipher: DataCipher,
    replies: Sequence[str],
    *,
    contact_id: int,
    case_id: int | None,
    now: datetime,
    reason: str,
) -> None:
    """Remember what the line answered (the texts encrypted: they may hold a reference code and PIN)."""
    event = record_event(
        session,
        REPLY_EVENT,
        contact_id=contact_id,
        case_id=case_id,
        data={"messages": len(replies), "segments": sum(sms_segments(text) for text in replies), "reason": reason},
        payload=json.dumps(list(replies), ensure_ascii=False),
        cipher=cipher,
    )
    event.at = now
