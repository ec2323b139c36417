"""The live queue's Twilio routes: the caller's hold loop, leaving the queue, the message and callback steps,
and the handler's whisper, answer and end of call. Views parse, call a service, render TwiML."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, abort, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from tipline.cases.models import Case
from tipline.contacts.events import record_event, safe_params
from tipline.contacts.models import Contact
from tipline.contacts.services import voice_contact
from tipline.ivr.effects import reachable_number
from tipline.outbox.services import find_outbound
from tipline.request_session import request_session
from tipline.roster.models import Person
from tipline.routing import handoff
from tipline.routing.callbacks import callback_dialled, open_callback, request_callback, set_safe_time
from tipline.routing.jobs import route_calls  # noqa: F401 - registers the routing job and its triggers
from tipline.routing.models import (
    CallbackRequest,
    CallbackState,
    CallOffer,
    LeaveReason,
    OfferOutcome,
    QueuedCall,
    QueueState,
)
from tipline.routing.policy import load_policy, routing_policy
from tipline.routing.services import (
    accept_offer,
    bridge_failed,
    caller_gone,
    end_offer,
    finish_bridged,
    leave_queue,
    queue_position,
    wait_decision,
)
from tipline.routing.voicemail import save_message
from tipline.routing.whisper import bridge_twiml, callback_bridge_twiml, handler_goodbye, whisper_twiml
from tipline.runtime import runtime
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step
from tipline.webhooks.safety import log, never_fails_caller, never_fails_connecting, never_fails_on_hold

P = ParamSpec("P")
FIRST_TURN_SECONDS = 5


@twilio_bp.record_once
def _check_policy(state: object) -> None:
    """The line refuses to start with a broken routing policy, as with a broken script."""
    from pathlib import Path

    from tipline.ivr.scripts import ROUTING_FILE

    app = state.app  # type: ignore[attr-defined]
    runtime(app).extras["routing_policy"] = load_policy(Path(runtime(app).settings.scripts_dir) / ROUTING_FILE)


def never_fails_handler(view: Callable[P, Response]) -> Callable[P, Response]:
    """A handler's phone gets a goodbye, never an application error (the caller's side is unaffected)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("handler view %s failed (%s)", view.__name__, type(error).__name__)
            session = request_session()
            session.rollback()
            return twiml(str(handler_goodbye(None, "whisper_gone")))

    return wrapper


def _queued_call(session: Session) -> QueuedCall:
    call = session.get(QueuedCall, request.args.get("qc", type=int) or 0, with_for_update=True)
    if call is None or call.call_sid != request.form.get("CallSid"):
        abort(404)
    return call


def _contact(session: Session) -> Contact:
    contact = voice_contact(session, request.form.get("CallSid", ""), now=runtime().clock.now())
    record_event(
        session, "routing.step", contact_id=contact.id, data={**safe_params(request.form), "path": request.path}
    )
    return contact


# --- the caller, in the queue ---------------------------------------------------------------------------


@twilio_bp.post("/queue/wait")
@never_fails_on_hold
@once_per_step
def queue_wait() -> Response:
    """Twilio's ``waitUrl``, requested at every turn of the hold loop."""
    rt = runtime()
    session = request_session()
    call = _queued_call(session)
    call.queue_sid = call.queue_sid or request.form.get("QueueSid")
    reason = wait_decision(session, call, now=rt.clock.now(), policy=routing_policy())
    if reason is not None:
        leave_queue(session, call, reason, now=rt.clock.now())
        return twiml(str(handoff.leave_twiml()))
    if call.state not in (QueueState.WAITING, QueueState.OFFERED):
        return twiml(str(handoff.leave_twiml()))
    first = (rt.clock.now() - call.enqueued_at).total_seconds() < FIRST_TURN_SECONDS
    return twiml(str(handoff.hold_twiml(call, position=queue_position(session, call), first=first)))


@twilio_bp.post("/queue/wait-key")
@never_fails_on_hold
@once_per_step
def queue_wait_key() -> Response:
    """A key pressed while on hold: 1 leaves the queue for a message; anything else, keep waiting."""
    session = request_session()
    call = _queued_call(session)
    if request.form.get("Digits") == "1" and call.state in (QueueState.WAITING, QueueState.OFFERED):
        leave_queue(session, call, LeaveReason.MESSAGE, now=runtime().clock.now())
        return twiml(str(handoff.leave_twiml()))
    return twiml(str(VoiceResponse()))


@twilio_bp.post("/queue/done")
@never_fails_caller
@once_per_step
def queue_done() -> Response:
    """``<Enqueue action>``: the caller left the queue (bridged and done, left, hung up, or an error)."""
    rt = runtime()
    session = request_session()
    call = _queued_call(session)
    result = request.form.get("QueueResult", "")
    record_event(
        session,
        "routing.queue_result",
        contact_id=call.contact_id,
        case_id=call.case_id,
        data={"result": result, "queued_call_id": call.id},
    )
    if result == "bridged":
        caller_gone(session, call, now=rt.clock.now(), result=result)
        return twiml(str(handoff.goodbye_twiml(call.language, "call_ended")))
    if result == "hangup":
        caller_gone(session, call, now=rt.clock.now(), result=result)
        return twiml(str(VoiceResponse()))
    if call.state in (QueueState.WAITING, QueueState.OFFERED):  # queue-full, error, system-error, redirected
        leave_queue(session, call, LeaveReason.TIMEOUT, now=rt.clock.now())
    nobody = call.leave_reason != LeaveReason.MESSAGE
    return twiml(str(handoff.message_then_callback(VoiceResponse(), call.language, nobody_free=nobody)))


@twilio_bp.post("/queue/connecting")
@never_fails_connecting
@once_per_step
def queue_connecting() -> Response:
    """``<Queue url>``: said to the caller just before the handler is bridged in."""
    call = request_session().get(QueuedCall, request.args.get("qc", type=int) or 0)
    return twiml(str(handoff.connecting_twiml(call.language if call else None)))


# --- the caller, message and callback -------------------------------------------------------------------


def _after_message(session: Session, contact: Contact, saved: bool) -> VoiceResponse:
    number = reachable_number(request.form.get("From", ""))
    if number is None or contact.anonymous or contact.case_id is None:
        return handoff.goodbye_twiml(contact.language, "message_saved" if saved else "no_message")
    return handoff.callback_offer_twiml(contact.language)


@twilio_bp.post("/queue/message-done")
@never_fails_caller
@once_per_step
def message_done() -> Response:
    session = request_session()
    contact = _contact(session)
    saved = save_message(session, contact, request.form)
    return twiml(str(_after_message(session, contact, saved)))


@twilio_bp.post("/queue/message-none")
@never_fails_caller
@once_per_step
def message_none() -> Response:
    session = request_session()
    contact = _contact(session)
    return twiml(str(_after_message(session, contact, saved=False)))


@twilio_bp.post("/queue/callback-consent")
@never_fails_caller
@once_per_step
def callback_consent() -> Response:
    rt = runtime()
    session = request_session()
    contact = _contact(session)
    number = reachable_number(request.form.get("From", ""))
    if request.form.get("Digits") != "1" or number is None or contact.case_id is None:
        record_event(session, "routing.callback_declined", contact_id=contact.id, case_id=contact.case_id, data={})
        return twiml(str(handoff.goodbye_twiml(contact.language, "message_saved")))
    request_callback(session, rt.cipher, contact=contact, case_id=contact.case_id, number=number, now=rt.clock.now())
    return twiml(str(handoff.callback_when_twiml(contact.language)))


@twilio_bp.post("/queue/callback-when")
@never_fails_caller
@once_per_step
def callback_when() -> Response:
    rt = runtime()
    session = request_session()
    contact = _contact(session)
    callback = open_callback(session, contact.case_id) if contact.case_id is not None else None
    if callback is not None:
        set_safe_time(
            session,
            rt.cipher,
            callback,
            digits=request.form.get("Digits", ""),
            speech=request.form.get("SpeechResult", ""),
        )
    return twiml(str(handoff.goodbye_twiml(contact.language, "callback_booked")))


# --- the handler ----------------------------------------------------------------------------------------


def _offer_from_outbox(session: Session) -> CallOffer:
    message = find_outbound(session, sid=request.form.get("CallSid"), outbox_id=request.args.get("outbox", type=int))
    offer = None
    if message is not None:
        offer = session.query(CallOffer).filter(CallOffer.outbox_id == message.id).one_or_none()
    if offer is None:
        abort(404)
    return offer


def _offer(session: Session) -> CallOffer:
    offer = session.get(CallOffer, request.args.get("offer", type=int) or 0)
    if offer is None:
        abort(404)
    return offer


@twilio_bp.post("/queue/whisper")
@never_fails_handler
@once_per_step
def handler_whisper() -> Response:
    """The handler answered the line's call: what the call is, and 1 to take it."""
    session = request_session()
    offer = _offer_from_outbox(session)
    call = session.get(QueuedCall, offer.queued_call_id)
    handler = session.get(Person, offer.person_id)
    if offer.outcome != OfferOutcome.PENDING or call is None or call.state != QueueState.OFFERED:
        return twiml(str(handler_goodbye(handler, "whisper_gone")))
    case = session.get(Case, call.case_id)
    assert case is not None
    return twiml(str(whisper_twiml(offer, call, case, handler)))


@twilio_bp.post("/queue/answer")
@never_fails_handler
@once_per_step
def handler_answer() -> Response:
    rt = runtime()
    session = request_session()
    offer = _offer(session)
    handler = session.get(Person, offer.person_id)
    policy = routing_policy()
    if request.form.get("Digits") == "1":
        call = accept_offer(session, offer.id, now=rt.clock.now(), policy=policy)
        if call is None:
            return twiml(str(handler_goodbye(handler, "whisper_gone")))
        return twiml(str(bridge_twiml(offer, call, handler)))
    missed = request.args.get("event") == "no_input"
    end_offer(
        session, offer, OfferOutcome.MISSED if missed else OfferOutcome.DECLINED, now=rt.clock.now(), policy=policy
    )
    return twiml(str(handler_goodbye(handler, "whisper_declined")))


@twilio_bp.post("/queue/handler-done")
@never_fails_handler
@once_per_step
def handler_done() -> Response:
    """The handler's ``<Dial><Queue>`` ended: the conversation is over (or the caller was already gone)."""
    rt = runtime()
    session = request_session()
    offer = _offer(session)
    handler = session.get(Person, offer.person_id)
    call = session.get(QueuedCall, offer.queued_call_id, with_for_update=True)
    status = request.form.get("DialCallStatus", "")
    if call is not None and call.state == QueueState.BRIDGED:
        if status in ("completed", "answered"):
            finish_bridged(session, call, now=rt.clock.now())
        else:
            bridge_failed(session, call, now=rt.clock.now(), status=status)
            return twiml(str(handler_goodbye(handler, "whisper_gone")))
    return twiml(str(VoiceResponse()))


# --- a dispatcher's callback ----------------------------------------------------------------------------


@twilio_bp.post("/queue/callback-bridge")
@never_fails_handler
@once_per_step
def callback_bridge() -> Response:
    rt = runtime()
    session = request_session()
    message = find_outbound(session, sid=request.form.get("CallSid"), outbox_id=request.args.get("outbox", type=int))
    callback = (
        session.query(CallbackRequest).filter(CallbackRequest.outbox_id == message.id).one_or_none()
        if message is not None
        else None
    )
    if callback is None or callback.contact_id is None:
        abort(404)
    dispatcher = session.get(Person, callback.person_id) if callback.person_id else None
    contact = session.get(Contact, callback.contact_id)
    case = session.get(Case, callback.case_id)
    if contact is None or contact.caller_number_enc is None or case is None:
        return twiml(str(handler_goodbye(dispatcher, "callback_no_answer")))
    callback.state = CallbackState.CONNECTED
    return twiml(
        str(
            callback_bridge_twiml(
                callback_id=callback.id,
                reference=case.reference,
                caller_number=rt.cipher.decrypt_text(contact.caller_number_enc),
                line_number=rt.settings.phone_number,
                dispatcher=dispatcher,
            )
        )
    )


@twilio_bp.post("/queue/callback-done")
@never_fails_handler
@once_per_step
def callback_done() -> Response:
    rt = runtime()
    session = request_session()
    callback = session.get(CallbackRequest, request.args.get("callback", type=int) or 0, with_for_update=True)
    if callback is None:
        abort(404)
    status = request.form.get("DialCallStatus", "")
    callback_dialled(session, callback, dial_status=status, now=rt.clock.now())
    if status in ("completed", "answered"):
        return twiml(str(VoiceResponse()))
    dispatcher = session.get(Person, callback.person_id) if callback.person_id else None
    return twiml(str(handler_goodbye(dispatcher, "callback_no_answer")))
