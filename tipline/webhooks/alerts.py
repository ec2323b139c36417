"""The voice alert: what an ÉSUP member or supervisor hears when the line calls them about a crisis case, in
their language, and pressing 1 to acknowledge. The call's outbox row (``?outbox=``) says which alert it is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, g, request, url_for
from sqlalchemy import select
from twilio.twiml.voice_response import Gather, VoiceResponse

import tipline.escalation.replies  # registers the SMS acknowledgement
import tipline.escalation.tasks  # noqa: F401 - registers the escalation jobs
from tipline.cases.models import Case
from tipline.contacts.events import record_event, safe_params
from tipline.escalation import messages
from tipline.escalation.models import Escalation, EscalationAttempt, EscalationState
from tipline.escalation.policy import LANGS, Policy, policy
from tipline.escalation.services import AckOutcome, acknowledge, may_acknowledge
from tipline.outbox.models import OutboundMessage
from tipline.request_session import request_session
from tipline.roster.models import Person
from tipline.webhooks.blueprint import twilio_bp, twiml
from tipline.webhooks.idempotency import once_per_step

P = ParamSpec("P")
log = logging.getLogger("tipline.webhooks")
ERROR_FR = "Une difficulté technique empêche d'accepter l'alerte. Utilisez la console. Au revoir."
ERROR_EN = "A technical difficulty prevents acknowledging the alert. Please use the console. Goodbye."


def _never_fails_staff(view: Callable[P, Response]) -> Callable[P, Response]:
    """Any failure: a short bilingual apology (constant words, no database) instead of an application error."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("alert view %s failed (%s)", view.__name__, type(error).__name__)
            session = g.get("db_session")
            if session is not None:
                session.rollback()
            response = VoiceResponse()
            response.say(ERROR_FR, language="fr-CA")
            response.say(ERROR_EN, language="en-CA")
            response.hangup()
            return twiml(str(response))

    return wrapper


class _Alert:
    """The outbox row of this call, its attempt, escalation, case and the person called."""

    def __init__(self, outbox_id: int | None) -> None:
        session = request_session()
        self.message = session.get(OutboundMessage, outbox_id) if outbox_id is not None else None
        attempt = (
            session.scalar(select(EscalationAttempt).where(EscalationAttempt.outbound_id == self.message.id))
            if self.message is not None
            else None
        )
        self.escalation = session.get(Escalation, attempt.escalation_id) if attempt is not None else None
        self.case = session.get(Case, self.escalation.case_id) if self.escalation is not None else None
        self.person = session.get(Person, attempt.person_id) if attempt is not None else None
        self.lang = messages.reader_language(self.person)


def _say(target: VoiceResponse | Gather, rules: Policy, lang: str, text: str) -> None:
    language, voice = rules.voices[lang if lang in LANGS else "fr"]
    if voice:
        target.say(text, language=language, voice=voice)
    else:
        target.say(text, language=language)


def _ack_url(outbox_id: int) -> str:
    return url_for("twilio.alert_call_ack", outbox=outbox_id)


def _gather_twice(response: VoiceResponse, rules: Policy, alert: _Alert, first_words: list[str]) -> None:
    assert alert.message is not None
    for words in (first_words, [rules.text("voice_press_one", alert.lang)]):
        gather = response.gather(
            input="dtmf", num_digits=1, action=_ack_url(alert.message.id), method="POST", timeout=8
        )
        for text in words:
            _say(gather, rules, alert.lang, text)
    _say(response, rules, alert.lang, rules.text("voice_no_input", alert.lang))
    response.hangup()


def _already(response: VoiceResponse, rules: Policy, alert: _Alert) -> None:
    assert alert.escalation is not None and alert.case is not None
    session = request_session()
    by = session.get(Person, alert.escalation.acknowledged_by_id) if alert.escalation.acknowledged_by_id else None
    text = messages.acknowledged_text(
        rules, by.name if by else "?", alert.escalation, alert.case, alert.person, already=True
    )
    _say(response, rules, alert.lang, text)
    response.hangup()


@twilio_bp.post("/alerts/voice")
@_never_fails_staff
@once_per_step
def alert_call() -> Response:
    """The alert call was answered: say the alert, then "press 1 to acknowledge"."""
    rules = policy()
    alert = _Alert(request.args.get("outbox", type=int))
    response = VoiceResponse()
    if alert.message is None or alert.escalation is None or alert.case is None:
        _say(response, rules, alert.lang, rules.text("voice_error", alert.lang))
        response.hangup()
        return twiml(str(response))
    record_event(
        request_session(),
        "escalation.call_answered",
        case_id=alert.case.id,
        data={**safe_params(request.form), "escalation_id": alert.escalation.id, "outbox_id": alert.message.id},
    )
    if alert.escalation.state == EscalationState.ACKNOWLEDGED:
        _already(response, rules, alert)
    else:
        spoken = messages.voice_alert(rules, alert.escalation, alert.case, alert.person)
        _gather_twice(response, rules, alert, [spoken, rules.text("voice_press_one", alert.lang)])
    return twiml(str(response))


@twilio_bp.post("/alerts/voice/ack")
@_never_fails_staff
@once_per_step
def alert_call_ack() -> Response:
    """The Gather's action: 1 acknowledges; another key asks again."""
    rules = policy()
    alert = _Alert(request.args.get("outbox", type=int))
    response = VoiceResponse()
    if alert.escalation is None or alert.case is None or alert.person is None:
        _say(response, rules, alert.lang, rules.text("voice_error", alert.lang))
        response.hangup()
        return twiml(str(response))
    if request.form.get("Digits") != "1":
        _gather_twice(response, rules, alert, [rules.text("voice_press_one", alert.lang)])
        return twiml(str(response))
    if not may_acknowledge(alert.person):
        _say(response, rules, alert.lang, rules.text("not_allowed", alert.lang))
        response.hangup()
        return twiml(str(response))
    result = acknowledge(request_session(), alert.escalation.id, alert.person, via="voice")
    if result is None:
        _say(response, rules, alert.lang, rules.text("voice_error", alert.lang))
    elif result.outcome == AckOutcome.ALREADY:
        _already(response, rules, alert)
        return twiml(str(response))
    else:
        text = messages.acknowledged_text(
            rules, alert.person.name, result.escalation, alert.case, alert.person, already=False
        )
        _say(response, rules, alert.lang, text)
    response.hangup()
    return twiml(str(response))
