"""TwiML that needs nothing but settings: what a caller or texter gets when the application cannot serve.

No database, no Redis, no script files — only the ``twilio`` library and constant bilingual words."""

from __future__ import annotations

import unicodedata

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

FALLBACK_URL = "/twilio/voice/fallback"

SORRY_FR = (
    "Bonjour. Nous éprouvons une difficulté technique. "
    "Si vous êtes en danger immédiat, raccrochez et composez le 9-1-1."
)
SORRY_EN = "Hello. We are having a technical difficulty. If you are in immediate danger, hang up and dial 9-1-1."
CONNECTING_FR = "Nous vous mettons en communication avec une personne. Restez en ligne."
CONNECTING_EN = "We are connecting you with a person. Please stay on the line."
MESSAGE_FR = (
    "Personne ne peut vous répondre pour le moment. Laissez un message après le signal, puis appuyez sur le carré."
)
MESSAGE_EN = "No one can answer right now. Leave a message after the tone, then press the pound key."
THANKS_FR = "Merci. Votre message a été reçu. Au revoir."
THANKS_EN = "Thank you. Your message was received. Goodbye."
SMS_ACK = (
    "Message reçu. Si vous êtes en danger immédiat, composez le 9-1-1. / "
    "Message received. If you are in immediate danger, call 9-1-1."
)


def _say_both(response: VoiceResponse, french: str, english: str) -> None:
    response.say(french, language="fr-CA")
    response.say(english, language="en-CA")


def voicemail(response: VoiceResponse) -> VoiceResponse:
    _say_both(response, MESSAGE_FR, MESSAGE_EN)
    response.record(
        action=f"{FALLBACK_URL}?step=recorded",
        method="POST",
        max_length=180,
        finish_on_key="#",
        play_beep=True,
    )
    _say_both(response, THANKS_FR, THANKS_EN)
    response.hangup()
    return response


def reach_a_human(fallback_number: str, *, apologise: bool = True) -> str:
    """Apologise, then ring the staffed fallback number; without one, or if it does not answer, voicemail."""
    response = VoiceResponse()
    if apologise:
        _say_both(response, SORRY_FR, SORRY_EN)
    if fallback_number:
        _say_both(response, CONNECTING_FR, CONNECTING_EN)
        response.dial(fallback_number, action=f"{FALLBACK_URL}?step=dialled", method="POST", timeout=30)
        return str(response)
    return str(voicemail(response))


def after_dial(dial_status: str) -> str:
    response = VoiceResponse()
    if dial_status == "completed":
        response.hangup()
        return str(response)
    return str(voicemail(response))


def after_recording() -> str:
    response = VoiceResponse()
    _say_both(response, THANKS_FR, THANKS_EN)
    response.hangup()
    return str(response)


def sms_acknowledgement() -> str:
    response = MessagingResponse()
    response.message(SMS_ACK)
    return str(response)


def empty_messaging_response() -> str:
    """No reply at all (a texter who opted out, or one we cannot check)."""
    return str(MessagingResponse())


# Opt-out words answered without the database (nothing to look up): the fallback sends nothing to them.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRETER", "DESABONNER"})


def is_stop_word(body: str) -> bool:
    plain = unicodedata.normalize("NFKD", body).encode("ascii", "ignore").decode().upper()
    return "".join(char for char in plain if char.isalnum()) in STOP_WORDS
