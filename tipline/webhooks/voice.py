"""Voice webhooks: a call comes in, and call status callbacks."""

from __future__ import annotations

from flask import Response, request

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.services import voice_contact
from tipline.flows import FlowInput
from tipline.ivr.voice import advance, flow_input
from tipline.outbox import status
from tipline.request_session import request_session
from tipline.routing.voicemail import after_dial, voicemail_left
from tipline.runtime import runtime
from tipline.webhooks import fallback_twiml
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import never_fails_caller, spooled_on_failure


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
    response = advance(session, contact, FlowInput(event="start"), request.form)
    return twiml(str(response))


@twilio_bp.post("/voice/step")
@never_fails_caller
@once_per_step
def call_step() -> Response:
    rt = runtime()
    session = request_session()
    contact = voice_contact(session, request.form.get("CallSid", ""), now=rt.clock.now())
    event = flow_input(request.args.get("event"), request.form)
    record_event(session, f"voice.{event.event}", contact_id=contact.id, data=safe_params(request.form))
    return twiml(str(advance(session, contact, event, request.form)))


@twilio_bp.post("/voice/handoff")
@never_fails_caller
@once_per_step
def call_handoff() -> Response:
    """After ringing a human (dial_done) or after a message was left (voicemail_done)."""
    rt = runtime()
    session = request_session()
    contact = voice_contact(session, request.form.get("CallSid", ""), now=rt.clock.now())
    record_event(session, "voice.handoff_result", contact_id=contact.id, data=safe_params(request.form))
    if request.args.get("event") == "voicemail_done":
        return twiml(str(voicemail_left(session, contact, request.form)))
    return twiml(str(after_dial(session, contact, request.form)))


@twilio_bp.post("/voice/status")
@spooled_on_failure("status.voice")
@once_per_step
def call_status() -> Response:
    status.call_status(
        request_session(), request.form, outbox_id=request.args.get("outbox", type=int), now=runtime().clock.now()
    )
    return Response(status=204)
