"""Voice webhooks: a call comes in, and call status callbacks."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.services import close_contact, voice_contact
from tipline.outbox.services import FINAL_STATES, apply_status, find_outbound, notify_outcome
from tipline.request_session import request_session
from tipline.runtime import runtime
from tipline.webhooks import fallback_twiml
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import never_fails_caller


def outbound_call_status(session: Session, *, outbox_id: int, sid: str, status: str) -> None:
    """A call the line placed (an alert, a callback) moved on."""
    message = find_outbound(session, sid=sid, outbox_id=outbox_id)
    if message is None:
        return
    changed = apply_status(message, sid=sid, twilio_status=status, error_code=request.form.get("ErrorCode"))
    record_event(
        session,
        "call.status",
        contact_id=message.contact_id,
        case_id=message.case_id,
        data={**safe_params(request.form), "outbox_id": message.id, "changed": changed},
    )
    if changed and message.state in FINAL_STATES:
        notify_outcome(session, message)


FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@twilio_bp.post("/voice")
@never_fails_caller
@once_per_step
def incoming_call() -> Response:
    rt = runtime()
    session = request_session()
    call_sid = request.form.get("CallSid", "")
    if not call_sid:
        return twiml(fallback_twiml.reach_a_human(rt.settings.fallback_number, apologise=False))
    contact = voice_contact(session, call_sid, now=rt.clock.now())
    record_event(session, "voice.incoming", contact_id=contact.id, data=safe_params(request.form))
    response = VoiceResponse()
    response.say(
        "Bonjour. Vous avez joint la ligne confidentielle. Si vous êtes en danger immédiat, raccrochez et "
        "composez le 9-1-1.",
        language="fr-CA",
    )
    response.say(
        "Hello. You have reached the confidential line. If you are in immediate danger, hang up and dial 9-1-1.",
        language="en-CA",
    )
    response.redirect("/twilio/voice/fallback?step=start", method="POST")
    return twiml(str(response))


@twilio_bp.post("/voice/status")
@once_per_step
def call_status() -> Response:
    rt = runtime()
    session = request_session()
    call_sid = request.form.get("CallSid", "")
    status = request.form.get("CallStatus", "")
    outbox_id = request.args.get("outbox", type=int)
    if outbox_id is not None:
        outbound_call_status(session, outbox_id=outbox_id, sid=call_sid, status=status)
    elif call_sid:
        contact = voice_contact(session, call_sid, now=rt.clock.now())
        record_event(session, "voice.status", contact_id=contact.id, data=safe_params(request.form))
        if status in FINAL_CALL_STATUSES:
            close_contact(contact, now=rt.clock.now())
    return Response(status=204)
