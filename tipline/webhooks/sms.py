"""SMS webhooks: a message comes in, and message status callbacks for what the line sent."""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse

from tipline.ivr.sms import InboundSms, receive_sms
from tipline.outbox import status
from tipline.request_session import request_session
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import never_fails_texter, spooled_on_failure


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
@spooled_on_failure("status.sms")
@once_per_step
def message_status() -> Response:
    status.message_status(request_session(), request.form, outbox_id=request.args.get("outbox", type=int))
    return Response(status=204)
