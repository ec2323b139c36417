"""Putting a caller through to a human: ring the on-duty dispatchers who speak the caller's language (then
everyone on duty), else the staffed fallback number, else a recorded message. Never silence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from tipline.crypto import DataCipher
from tipline.ivr.scripts import Scripts
from tipline.roster.models import Presence, Role
from tipline.roster.services import on_duty

MAX_SIMULTANEOUS = 10  # Twilio rings at most ten <Number>s at once
RING_SECONDS = 25


def on_duty_numbers(session: Session, cipher: DataCipher, *, now: datetime, language: str | None) -> list[str]:
    """Phones of available dispatchers (and supervisors) on duty now, those who speak ``language`` first."""
    people = [
        person
        for person in on_duty(session, at=now)
        if person.role in (Role.DISPATCHER, Role.SUPERVISOR)
        and person.presence == Presence.AVAILABLE
        and person.phone_enc is not None
    ]
    speaks = [person for person in people if language in person.languages and person.role == Role.DISPATCHER]
    others = [person for person in people if person not in speaks]
    ordered = (speaks or others)[:MAX_SIMULTANEOUS]
    return [cipher.decrypt_text(person.phone_enc) for person in ordered if person.phone_enc is not None]


def say(response: VoiceResponse, scripts: Scripts, name: str, lang: str | None) -> None:
    """A routing prompt, in the caller's language and with the voice script's voice for it."""
    spec = scripts.voice.defaults.voices[lang if lang in ("fr", "en") else "fr"]
    text = scripts.routing_prompt(name, lang)
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


def hand_off(
    response: VoiceResponse,
    *,
    numbers: list[str],
    fallback_number: str,
    caller_id: str,
    scripts: Scripts,
    lang: str | None,
    dial_done_url: str,
    voicemail_url: str,
) -> VoiceResponse:
    targets = numbers or ([fallback_number] if fallback_number else [])
    if not targets:
        return leave_a_message(response, scripts, lang, voicemail_url)
    dial = response.dial(action=dial_done_url, method="POST", timeout=RING_SECONDS, caller_id=caller_id)
    for number in targets:
        dial.number(number)
    return response
