"""Sending an outbox row through Twilio, at most once.

The row is marked ``sending`` and committed before Twilio is asked. If the process dies after that, a re-run
does not send again: the status callback (its URL names the row) or the outbox watchdog settles the row. A
connection refused before anything left is safe to retry; a refusal by Twilio is final and recorded.
"""

from __future__ import annotations

import logging

from requests.exceptions import ConnectionError as RequestsConnectionError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from tipline.contacts.events import record_event
from tipline.contacts.optouts import is_opted_out
from tipline.outbox.models import OutboundKind, OutboundMessage, OutboundState
from tipline.outbox.services import notify_outcome
from tipline.runtime import runtime
from workers.jobs import job

log = logging.getLogger("tipline.outbox")
CALL_STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Texts to the people who text the line (not staff alerts): never sent once the number said STOP.
TEXTER_PURPOSES = frozenset({"reply", "sms_flow", "resources"})


def twilio_client() -> object:
    rt = runtime()
    client = rt.extras.get("twilio_client")
    if client is None:
        from tipline.twilio_client import build_client

        client = rt.extras["twilio_client"] = build_client(rt.settings)
    return client


@job("alerts", max_attempts=8)
def send_outbound(session: Session, *, outbound_id: int) -> None:
    rt = runtime()
    message = session.get(OutboundMessage, outbound_id, with_for_update=True)
    if message is None or message.state != OutboundState.PENDING:
        return  # already sent, settled, cancelled, or in doubt: never send twice
    if (
        message.kind == OutboundKind.SMS
        and message.purpose in TEXTER_PURPOSES
        and is_opted_out(session, rt.cipher, rt.cipher.decrypt_text(message.to_enc))
    ):
        message.state = OutboundState.CANCELLED  # they said STOP after this was queued
        record_event(
            session,
            "outbound.sms.cancelled_opt_out",
            contact_id=message.contact_id,
            case_id=message.case_id,
            data={"outbox_id": message.id, "purpose": message.purpose},
        )
        return
    message.state = OutboundState.SENDING
    message.attempts += 1
    session.commit()

    settings = rt.settings
    client = twilio_client()
    to = rt.cipher.decrypt_text(message.to_enc)
    base = settings.callback_base_url
    try:
        if message.kind == OutboundKind.SMS:
            body = rt.cipher.decrypt_text(message.body_enc) if message.body_enc else ""
            created = client.messages.create(  # type: ignore[attr-defined]
                to=to,
                from_=settings.phone_number,
                body=body,
                status_callback=f"{base}/twilio/sms/status?outbox={message.id}",
            )
        else:
            created = client.calls.create(  # type: ignore[attr-defined]
                to=to,
                from_=settings.phone_number,
                url=f"{base}{message.options.get('path', '/twilio/voice/outbound')}?outbox={message.id}",
                status_callback=f"{base}/twilio/voice/status?outbox={message.id}",
                status_callback_event=CALL_STATUS_EVENTS,
                timeout=int(message.options.get("ring_seconds", 30)),
            )
    except TwilioRestException as refused:
        message.state = OutboundState.FAILED
        message.error_code = str(refused.code)
        record_event(
            session,
            f"outbound.{message.kind}.refused",
            contact_id=message.contact_id,
            case_id=message.case_id,
            data={"outbox_id": message.id, "purpose": message.purpose, "error_code": str(refused.code)},
        )
        notify_outcome(session, message)
        return
    except RequestsConnectionError:
        message.state = OutboundState.PENDING  # nothing reached Twilio: the retry may send
        session.commit()
        raise
    message.twilio_sid = created.sid
    message.twilio_status = created.status
    message.state = OutboundState.SENT
    message.sent_at = rt.clock.now()
    record_event(
        session,
        f"outbound.{message.kind}.sent",
        contact_id=message.contact_id,
        case_id=message.case_id,
        data={"outbox_id": message.id, "purpose": message.purpose, "sid": created.sid},
    )
