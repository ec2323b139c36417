"""Dispatchers write to a texter, and read the conversation.

A reply goes only to the number of the case's own SMS conversation (never to a number that did not text in),
never to a number that opted out, through the outbox (one row, one send, its delivery status kept). Twilio's
21610 ("unsubscribed recipient") on any text to a texter records the opt-out, so the line agrees with Twilio.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.contacts.events import record_event
from tipline.contacts.models import Channel, Contact, Event
from tipline.contacts.optouts import is_opted_out, set_opt_out
from tipline.crypto import DataCipher
from tipline.flows import sms_segments
from tipline.ivr.effects import reachable_number
from tipline.ivr.sms import take_over
from tipline.outbox.models import OutboundKind, OutboundMessage
from tipline.outbox.services import on_outcome, queue_outbound
from tipline.runtime import runtime
from tipline.sms.conversations import case_conversation
from tipline.sms.limits import REPLY_EVENT
from tipline.sms.tasks import FLOW_PURPOSE

REPLY_PURPOSE = "reply"
MAX_BODY_CHARACTERS = 1600  # Twilio refuses longer bodies (21617)
UNSUBSCRIBED = "21610"


class ReplyRefusedError(Exception):
    """The reply cannot be sent; ``message`` says why, for the dispatcher."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def send_reply(
    session: Session, cipher: DataCipher, case: Case, *, body: str, person_id: int, request_key: str
) -> OutboundMessage:
    """Queue a dispatcher's text to the case's texter (sent after the caller commits)."""
    contact = case_conversation(session, case.id)
    number = cipher.decrypt_text(contact.caller_number_enc) if contact and contact.caller_number_enc else None
    if contact is None or number is None or reachable_number(number) is None:
        raise ReplyRefusedError("no_sms_conversation", "This case has no text conversation to answer.")
    if is_opted_out(session, cipher, number):
        raise ReplyRefusedError(
            "opted_out", "The texter opted out (STOP): nothing can be sent to them until they text START or DEBUT."
        )
    key = f"reply:{case.id}:{request_key}"
    repeated = session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == key))
    if repeated is not None:  # the same request again (a retried POST): the first reply, nothing new
        return repeated
    message = queue_outbound(
        session,
        cipher,
        kind=OutboundKind.SMS,
        purpose=REPLY_PURPOSE,
        to=number,
        body=body,
        idempotency_key=key,
        contact_id=contact.id,
        case_id=case.id,
        person_id=person_id,
    )
    message.created_at = runtime().clock.now()
    take_over(session, contact)
    record_event(
        session,
        "case.reply",
        case_id=case.id,
        contact_id=contact.id,
        data={"outbox_id": message.id, "person_id": person_id, "segments": sms_segments(body)},
    )
    return message


def case_thread(session: Session, cipher: DataCipher, case_id: int) -> list[dict[str, Any]]:
    """The case's text conversation, oldest first: what came in, what the line answered, what staff sent."""
    contacts = select(Contact.id).where(Contact.case_id == case_id, Contact.channel == Channel.SMS)
    events = session.scalars(
        select(Event)
        .where(
            Event.kind.in_(("sms.in", REPLY_EVENT)),
            or_(Event.case_id == case_id, Event.contact_id.in_(contacts)),
        )
        .order_by(Event.at, Event.id)
    )
    items: list[dict[str, Any]] = []
    for event in events:
        text = cipher.decrypt_text(event.payload_enc) if event.payload_enc is not None else ""
        if event.kind == "sms.in":
            items.append(
                {
                    "direction": "in",
                    "at": event.at.isoformat(),
                    "body": text,
                    "media": int(event.data.get("NumMedia", "0") or 0),
                    "event_id": event.id,
                }
            )
            continue
        for reply in json.loads(text or "[]"):
            items.append(
                {
                    "direction": "out",
                    "source": "line",
                    "at": event.at.isoformat(),
                    "body": reply,
                    "segments": sms_segments(reply),
                    "state": "answered",
                    "event_id": event.id,
                }
            )
    outbound = session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.case_id == case_id,
            OutboundMessage.kind == OutboundKind.SMS,
            OutboundMessage.purpose.in_((REPLY_PURPOSE, FLOW_PURPOSE)),
        )
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    )
    for message in outbound:
        body = cipher.decrypt_text(message.body_enc) if message.body_enc else ""
        items.append(
            {
                "direction": "out",
                "source": "dispatcher" if message.purpose == REPLY_PURPOSE else "line",
                "at": message.created_at.isoformat(),
                "body": body,
                "segments": sms_segments(body),
                "state": message.state,
                "twilio_status": message.twilio_status,
                "error_code": message.error_code,
                "person_id": message.person_id,
                "outbox_id": message.id,
            }
        )
    items.sort(key=lambda item: item["at"])
    return items


@on_outcome(REPLY_PURPOSE)
@on_outcome(FLOW_PURPOSE)
@on_outcome("resources")
def opted_out_at_twilio(session: Session, message: OutboundMessage) -> None:
    """Twilio refused a text because the number sent STOP to Twilio: the line records the opt-out too."""
    if message.error_code != UNSUBSCRIBED:
        return
    rt = runtime()
    number = rt.cipher.decrypt_text(message.to_enc)
    if is_opted_out(session, rt.cipher, number):
        return
    set_opt_out(session, rt.cipher, number, opted_out=True, source="twilio_21610", now=rt.clock.now())
    record_event(
        session,
        "sms.opt_out",
        contact_id=message.contact_id,
        case_id=message.case_id,
        data={"source": "twilio_21610", "outbox_id": message.id},
    )
