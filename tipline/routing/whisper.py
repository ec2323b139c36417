"""What a handler hears: the whisper before taking a queued call (priority, language, category — never the
caller's number or words), and the bridge of a callback placed from the line's own number."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from tipline.cases.models import Case
from tipline.ivr.scripts import scripts
from tipline.roster.models import Person
from tipline.routing.handoff import QUEUE, say
from tipline.routing.models import CallOffer, QueuedCall

WHISPER_GATHER_SECONDS = 6
QUEUE_DIAL_SECONDS = 15  # the caller hung up at the last moment: the handler is not kept waiting long


def handler_language(person: Person | None) -> str:
    """French first: a handler who speaks French hears French."""
    if person is None or "fr" in person.languages or not person.languages:
        return "fr"
    return "en" if "en" in person.languages else "fr"


def whisper_twiml(offer: CallOffer, call: QueuedCall, case: Case, handler: Person | None) -> VoiceResponse:
    found, lang = scripts(), handler_language(handler)
    labels = [found.triage.label(category, lang) for category in case.categories if category in found.triage.categories]
    caller_language = found.routing_prompt(f"language_{call.language if call.language in ('fr', 'en') else 'fr'}", lang)
    action = f"{QUEUE}/answer?offer={offer.id}"
    response = VoiceResponse()
    for turn in range(2):
        gather = response.gather(
            input="dtmf", num_digits=1, action=action, method="POST", timeout=WHISPER_GATHER_SECONDS
        )
        if turn == 0:
            say(
                gather,
                found,
                "whisper_offer",
                lang,
                priority=case.priority.removeprefix("P"),
                language=caller_language,
                categories=", ".join(labels) or found.routing_prompt("no_category", lang),
            )
        say(gather, found, "whisper_choose", lang)
    response.redirect(f"{action}&event=no_input", method="POST")
    return response


def bridge_twiml(offer: CallOffer, call: QueuedCall, handler: Person | None) -> VoiceResponse:
    """The handler accepted: dial the caller's own queue (it holds only them)."""
    response = VoiceResponse()
    say(response, scripts(), "whisper_connecting", handler_language(handler))
    dial = response.dial(action=f"{QUEUE}/handler-done?offer={offer.id}", method="POST", timeout=QUEUE_DIAL_SECONDS)
    dial.queue(call.queue_name, url=f"{QUEUE}/connecting?qc={call.id}", method="POST")
    return response


def handler_goodbye(handler: Person | None, prompt: str) -> VoiceResponse:
    response = VoiceResponse()
    say(response, scripts(), prompt, handler_language(handler))
    response.hangup()
    return response


def callback_bridge_twiml(
    *, callback_id: int, reference: str, caller_number: str, line_number: str, dispatcher: Person | None
) -> VoiceResponse:
    """The dispatcher answered: the line dials the caller with its own number as caller ID. The caller's
    number is in this TwiML for Twilio only; the dispatcher's phone shows the line's number."""
    response = VoiceResponse()
    say(response, scripts(), "callback_intro", handler_language(dispatcher), reference=" ".join(reference))
    dial = response.dial(
        action=f"{QUEUE}/callback-done?callback={callback_id}", method="POST", caller_id=line_number, timeout=30
    )
    dial.number(caller_number)
    return response
