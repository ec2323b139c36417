"""Putting a caller through to a human: the caller joins the live queue (``<Enqueue>``) while routing rings
free handlers; with nobody on duty the caller is offered a message and a callback at once. Never silence.

Everything the caller hears here is in their language, from ``ivr_scripts/routing.yaml``."""

from __future__ import annotations

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Gather, VoiceResponse

from tipline.cases.models import Case
from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.ivr.scripts import Scripts, scripts
from tipline.routing.models import QueuedCall
from tipline.routing.services import anyone_to_answer, enqueue_call, mark_missed, request_routing
from tipline.runtime import runtime

QUEUE = "/twilio/queue"
HOLD_GATHER_SECONDS = 8


def say(response: VoiceResponse | Gather, scripts: Scripts, name: str, lang: str | None, **values: str) -> None:
    """A routing prompt, in ``lang`` and with the voice script's voice for it; ``{name}`` placeholders filled."""
    spec = scripts.voice.defaults.voices[lang if lang in ("fr", "en") else "fr"]
    text = scripts.routing_prompt(name, lang)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    if spec.voice:
        response.say(text, language=spec.language, voice=spec.voice)
    else:
        response.say(text, language=spec.language)


def leave_a_message(response: VoiceResponse, scripts: Scripts, lang: str | None, action_url: str) -> VoiceResponse:
    say(response, scripts, "nobody_free", lang)
    say(response, scripts, "leave_message", lang)
    response.record(action=action_url, method="POST", max_length=300, finish_on_key="#", play_beep=True, timeout=10)
    say(response, scripts, "no_message", lang)
    response.hangup()
    return response


def route_caller(
    session: Session, response: VoiceResponse, *, contact: Contact, case: Case, call_sid: str, lang: str | None
) -> None:
    """The triaged caller waits in the queue, or — nobody on duty — goes straight to a message and callback."""
    now = runtime().clock.now()
    if not call_sid or not anyone_to_answer(session, now=now):
        mark_missed(session, case.id, now=now)
        record_event(session, "routing.nobody_on_duty", contact_id=contact.id, case_id=case.id, data={})
        message_then_callback(response, lang, nobody_free=True)
        return
    call = enqueue_call(session, contact=contact, case=case, call_sid=call_sid, language=lang, now=now)
    request_routing(session, f"enqueued:{call.id}")
    enqueue_twiml(response, call)


def enqueue_twiml(response: VoiceResponse, call: QueuedCall) -> None:
    response.enqueue(
        call.queue_name,
        wait_url=f"{QUEUE}/wait?qc={call.id}",
        wait_url_method="POST",
        action=f"{QUEUE}/done?qc={call.id}",
        method="POST",
    )


def hold_twiml(call: QueuedCall, *, position: int, first: bool) -> VoiceResponse:
    """One turn of the hold loop (Twilio requests the wait URL again when it ends): where the caller stands,
    and the key to leave a message instead."""
    found, lang = scripts(), call.language
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf", num_digits=1, action=f"{QUEUE}/wait-key?qc={call.id}", method="POST", timeout=HOLD_GATHER_SECONDS
    )
    say(gather, found, "queue_welcome" if first else "queue_still_waiting", lang)
    if position <= 1:
        say(gather, found, "queue_next", lang)
    else:
        say(gather, found, "queue_position", lang, position=str(position))
    say(gather, found, "queue_leave_option", lang)
    return response


def leave_twiml() -> VoiceResponse:
    response = VoiceResponse()
    response.leave()
    return response


def connecting_twiml(lang: str | None) -> VoiceResponse:
    """Played to the caller just before the handler is bridged in (``<Queue url>``)."""
    response = VoiceResponse()
    say(response, scripts(), "queue_connecting", lang)
    return response


def message_then_callback(response: VoiceResponse, lang: str | None, *, nobody_free: bool) -> VoiceResponse:
    """A recorded message; then (``/message-done`` or, with no audio, ``/message-none``) the callback offer."""
    found = scripts()
    if nobody_free:
        say(response, found, "nobody_free", lang)
    say(response, found, "leave_message", lang)
    response.record(
        action=f"{QUEUE}/message-done", method="POST", max_length=300, finish_on_key="#", play_beep=True, timeout=10
    )
    response.redirect(f"{QUEUE}/message-none", method="POST")
    return response


def callback_offer_twiml(lang: str | None) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, action=f"{QUEUE}/callback-consent", method="POST", timeout=8)
    say(gather, scripts(), "callback_offer", lang)
    response.redirect(f"{QUEUE}/callback-consent?event=no_input", method="POST")
    return response


def callback_when_twiml(lang: str | None) -> VoiceResponse:
    spec = scripts().voice.defaults.voices[lang if lang in ("fr", "en") else "fr"]
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf speech",
        num_digits=1,
        language=spec.language,
        speech_timeout="auto",
        action=f"{QUEUE}/callback-when",
        method="POST",
        timeout=8,
    )
    say(gather, scripts(), "callback_when", lang)
    response.redirect(f"{QUEUE}/callback-when?event=no_input", method="POST")
    return response


def goodbye_twiml(lang: str | None, prompt: str) -> VoiceResponse:
    response = VoiceResponse()
    say(response, scripts(), prompt, lang)
    response.hangup()
    return response
