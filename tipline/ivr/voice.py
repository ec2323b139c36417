"""A call through the voice script: one webhook in, one step of the engine (plus the effects it asks for),
the state saved encrypted on the contact, and TwiML out."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.flows import Action, Effect, FlowInput, FlowState, HandOff, step
from tipline.ivr.effects import EffectContext, ensure_case, run_effect, triage_contact
from tipline.ivr.scripts import scripts
from tipline.ivr.state import load_state, save_state
from tipline.ivr.twiml import render
from tipline.routing.handoff import route_caller
from tipline.runtime import runtime

MAX_EFFECTS_PER_STEP = 5
STEP_PATH = "/twilio/voice/step"
HANDOFF_PATH = "/twilio/voice/handoff"


def step_url(contact: Contact, event: str | None) -> str:
    return f"{STEP_PATH}?seq={contact.step_seq}" + (f"&event={event}" if event else "")


def handoff_url(contact: Contact, event: str) -> str:
    return f"{HANDOFF_PATH}?seq={contact.step_seq}&event={event}"


def initial_state() -> FlowState:
    settings = runtime().settings
    return FlowState.start(
        scripts().voice, vars={"org_name.fr": settings.org_name_fr, "org_name.en": settings.org_name_en}
    )


def flow_input(event: str | None, params: Mapping[str, str]) -> FlowInput:
    """What Twilio posted, as the engine's input."""
    if event == "recording_done":
        url = params.get("RecordingUrl", "")
        if not url:
            return FlowInput(event="no_input")
        return FlowInput(event="recording_done", data={"recording_url": url})
    if event == "no_input":
        return FlowInput(event="no_input")
    digits = params.get("Digits") or None
    speech = params.get("SpeechResult") or None
    confidence_raw = params.get("Confidence", "")
    try:
        confidence = float(confidence_raw) if confidence_raw else None
    except ValueError:
        confidence = None
    if digits is None and speech is None:
        return FlowInput(event="no_input")
    return FlowInput(event="input", digits=digits, speech=speech, confidence=confidence)


def advance(session: Session, contact: Contact, event: FlowInput, params: Mapping[str, str]) -> VoiceResponse:
    rt = runtime()
    state = initial_state() if event.event == "start" else (load_state(contact, rt.cipher) or initial_state())
    if event.speech:
        record_event(session, "voice.speech", contact_id=contact.id, payload=event.speech, cipher=rt.cipher)
    state, first = _step(state, event)
    actions = list(first)
    for _effect in range(MAX_EFFECTS_PER_STEP):
        effect = actions[-1] if actions else None
        if not isinstance(effect, Effect):
            break
        actions.pop()
        context = EffectContext(session, contact, params.get("From", ""), params, state.flags)
        data = run_effect(context, effect)
        state, more = _step(state, FlowInput(event="effect_result", data=data))
        actions.extend(more)
    if not actions:
        # Nothing to say (a request out of sequence, a stray event after a hand-off): never an empty
        # document, which would end the call — the caller is put through to a person.
        actions = [HandOff(flags=(*state.flags, "unclear"), lang=state.lang or "fr")]
    if state.lang:
        contact.language = state.lang
    contact.step_seq += 1
    save_state(contact, state, rt.cipher)

    response = render(actions, lambda name: step_url(contact, name))
    handoff = next((action for action in actions if isinstance(action, HandOff)), None)
    if handoff is not None:
        put_through(session, contact, handoff, params, response, texts=(event.speech,) if event.speech else ())
    return response


def _step(state: FlowState, event: FlowInput) -> tuple[FlowState, tuple[Action, ...]]:
    return step(scripts().voice, state, event)


def put_through(
    session: Session,
    contact: Contact,
    handoff: HandOff,
    params: Mapping[str, str],
    response: VoiceResponse,
    *,
    texts: tuple[str, ...] = (),
) -> None:
    """Open (or find) the call's case, triage it with what the caller chose (a P1 starts escalation now),
    then put the caller in the live queue — or, with nobody on duty, to a message and a callback."""
    context = EffectContext(session, contact, params.get("From", ""), params, handoff.flags)
    case = ensure_case(context, handoff.lang)
    triage_contact(context, case, texts)
    record_event(session, "voice.handoff", contact_id=contact.id, case_id=case.id, data={"flags": list(handoff.flags)})
    route_caller(session, response, contact=contact, case=case, call_sid=params.get("CallSid", ""), lang=handoff.lang)
