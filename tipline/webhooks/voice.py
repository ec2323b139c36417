"""Voice webhooks: a call comes in, and call status callbacks."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy.orm import Session

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.services import close_contact, voice_contact
from tipline.flows import FlowInput
from tipline.ivr.voice import advance, flow_input
from tipline.outbox.services import FINAL_STATES, apply_status, find_outbound, notify_outcome
from tipline.request_session import request_session
from tipline.routing.voicemail import after_dial, voicemail_left
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
