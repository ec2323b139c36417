"""SMS webhooks: a message comes in, and message status callbacks for what the line sent."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.models import Channel, Contact, ContactStatus
from tipline.outbox.services import FINAL_STATES, apply_status, find_outbound, notify_outcome
from tipline.request_session import request_session
from tipline.runtime import runtime
from tipline.webhooks import fallback_twiml
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import never_fails_texter


@twilio_bp.post("/sms")
@never_fails_texter
@once_per_step
def incoming_sms() -> Response:
    rt = runtime()
    session = request_session()
    sender = request.form.get("From", "")
    now = rt.clock.now()
    contact = None
    if sender:
        hashes = rt.cipher.lookup_hashes(sender)
        contact = session.scalar(
            select(Contact)
            .where(
                Contact.channel == Channel.SMS,
                Contact.caller_hash.in_(hashes),
                Contact.status == ContactStatus.ACTIVE,
            )
            .order_by(Contact.id.desc())
            .limit(1)
        )
        if contact is None:
            contact = Contact(
                channel=Channel.SMS,
                caller_number_enc=rt.cipher.encrypt(sender),
                caller_hash=rt.cipher.lookup_hash(sender),
                started_at=now,
            )
            session.add(contact)
            session.flush()
        contact.last_activity_at = now
    record_event(
        session,
        "sms.in",
        contact_id=contact.id if contact else None,
        data=safe_params(request.form),
        payload=request.form.get("Body", ""),
        cipher=rt.cipher,
    )
    response = MessagingResponse()
    response.message(fallback_twiml.SMS_ACK)
    return twiml(str(response))


@twilio_bp.post("/sms/status")
@once_per_step
def message_status() -> Response:
    session = request_session()
    outbox_id = request.args.get("outbox", type=int)
    sid = request.form.get("MessageSid")
    message = find_outbound(session, sid=sid, outbox_id=outbox_id)
    if message is not None:
        status = request.form.get("MessageStatus", "")
        changed = apply_status(message, sid=sid, twilio_status=status, error_code=request.form.get("ErrorCode"))
        if changed and message.state in FINAL_STATES:
            notify_outcome(session, message)
        record_event(
            session,
            "sms.status",
            contact_id=message.contact_id,
            case_id=message.case_id,
            data={**safe_params(request.form), "outbox_id": message.id, "changed": changed},
        )
    return Response(status=204)
