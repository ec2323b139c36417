"""When nobody answered: the caller may leave a message, which reaches the dispatchers' queue as a case.

``after_dial``/``voicemail_left`` serve ``/twilio/voice/handoff`` (calls put through before the live queue);
``save_message`` serves the queue's own message step."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.ivr.effects import EffectContext, ensure_case
from tipline.ivr.scripts import scripts
from tipline.media.services import register_recording
from tipline.routing.handoff import leave_a_message, say
from tipline.routing.services import mark_missed
from tipline.runtime import runtime

ANSWERED = frozenset({"completed", "answered"})


def after_dial(session: Session, contact: Contact, params: Mapping[str, str]) -> VoiceResponse:
    response = VoiceResponse()
    status = params.get("DialCallStatus", "")
    if status in ANSWERED:
        response.hangup()
        return response
    context = EffectContext(session, contact, params.get("From", ""), params)
    case = ensure_case(context, contact.language)
    record_event(session, "routing.unanswered", contact_id=contact.id, case_id=case.id, data={"status": status})
    url = f"/twilio/voice/handoff?seq={contact.step_seq}&event=voicemail_done"
    return leave_a_message(response, scripts(), contact.language, url)


def save_message(session: Session, contact: Contact, params: Mapping[str, str]) -> bool:
    """Keep the recording Twilio made as the case's message; False when there is none."""
    url = params.get("RecordingUrl", "")
    if not url:
        return False
    context = EffectContext(session, contact, params.get("From", ""), params)
    case = ensure_case(context, contact.language)
    register_recording(session, runtime().cipher, params, url=url, contact_id=contact.id, case_id=case.id)
    mark_missed(session, case.id, now=runtime().clock.now())
    record_event(session, "routing.voicemail", contact_id=contact.id, case_id=case.id, data={})
    return True


def voicemail_left(session: Session, contact: Contact, params: Mapping[str, str]) -> VoiceResponse:
    response = VoiceResponse()
    saved = save_message(session, contact, params)
    say(response, scripts(), "message_saved" if saved else "no_message", contact.language)
    response.hangup()
    return response
