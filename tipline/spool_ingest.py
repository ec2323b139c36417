"""Taking spooled fallback records into the database once it is reachable again, as if they had just arrived:
a text goes through the SMS conversation (opt-out words, triage, case, media; its replies are sent by REST,
since the texter only had the fallback's acknowledgement); a message left on the fallback's voicemail becomes a case
with its recording, at the top of the dispatchers' queue."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tipline.cases.services import open_case
from tipline.contacts.events import record_event, safe_params
from tipline.contacts.services import voice_contact
from tipline.ivr.effects import reachable_number
from tipline.ivr.sms import InboundSms, receive_sms
from tipline.media.services import register_recording
from tipline.outbox import status
from tipline.outbox.models import OutboundKind
from tipline.outbox.services import queue_outbound
from tipline.routing.services import mark_missed
from tipline.runtime import runtime
from tipline.spool import SpoolRecord


def _voicemail(session: Session, flat: dict[str, str], received_at: str) -> None:
    rt = runtime()
    now = rt.clock.now()
    call_sid, url = flat.get("CallSid", ""), flat.get("RecordingUrl", "")
    contact = voice_contact(session, call_sid, now=now) if call_sid else None
    if contact is None or not url:
        record_event(session, "fallback.voice.recording", data={**safe_params(flat), "received_at": received_at})
        return
    if contact.case_id is None:
        contact.case_id = open_case(session, language=contact.language, now=now).id
    register_recording(session, rt.cipher, flat, url=url, contact_id=contact.id, case_id=contact.case_id)
    mark_missed(session, contact.case_id, now=now)
    record_event(
        session,
        "routing.voicemail",
        contact_id=contact.id,
        case_id=contact.case_id,
        data={"fallback": True, "received_at": received_at},
    )


def ingest_spool(app: Flask) -> int:
    rt = runtime(app)

    def store(record: SpoolRecord) -> None:
        flat = {name: values[0] for name, values in record.params.items() if values}
        with app.app_context(), rt.db.transaction() as session:
            if record.kind == "sms":
                replies = receive_sms(session, InboundSms.from_params(flat))
                number = reachable_number(flat.get("From", ""))
                for index, text in enumerate(replies if number else []):
                    # The texter only had the fallback's acknowledgement: the flow's answer (a tip's reference
                    # code, say) goes now, by REST — never to a number that said STOP (checked at sending).
                    queue_outbound(
                        session,
                        rt.cipher,
                        kind=OutboundKind.SMS,
                        purpose="sms_flow",
                        to=number or "",
                        body=text,
                        idempotency_key=f"spool:{record.path.name}:{index}",
                    )
            elif record.kind in ("status.sms", "status.voice"):
                outbox = flat.get("_outbox", "")
                outbox_id = int(outbox) if outbox.isdigit() else None
                if record.kind == "status.sms":
                    status.message_status(session, flat, outbox_id=outbox_id)
                else:
                    status.call_status(session, flat, outbox_id=outbox_id, now=rt.clock.now())
            elif record.kind == "voice.recording":
                _voicemail(session, flat, record.received_at)
            else:
                contact = voice_contact(session, flat["CallSid"], now=rt.clock.now()) if flat.get("CallSid") else None
                record_event(
                    session,
                    f"fallback.{record.kind}",
                    contact_id=contact.id if contact else None,
                    data={**safe_params(flat), "received_at": record.received_at},
                )

    return rt.spool.drain(store)
