"""SMS webhooks: a message comes in, and message status callbacks for what the line sent."""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse

from tipline.contacts.events import record_event, safe_params
from tipline.ivr.sms import InboundSms, receive_sms
from tipline.outbox.services import FINAL_STATES, apply_status, find_outbound, notify_outcome
from tipline.request_session import request_session
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import never_fails_texter


@twilio_bp.post("/sms")
@never_fails_texter
@once_per_step
def incoming_sms() -> Response:
    """Stored first; the answer is the replies, or an empty <Response/> (opted out, rate-limited, short code)."""
    replies = receive_sms(request_session(), InboundSms.from_params(request.form))
    response = MessagingResponse()
    for text in replies:
        response.message(text)
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
