"""Helpers for escalation tests: an on-duty roster, P1 cases, and what the fake Twilio server received."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from tests.factories import make_person
from tipline.cases.models import Case
from tipline.cases.services import open_case
from tipline.cases.triage_service import set_priority
from tipline.clock import ManualClock
from tipline.contacts.models import Event
from tipline.escalation.models import Escalation, EscalationAttempt
from tipline.escalation.policy import Policy, policy
from tipline.roster.models import Role
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import ApiRequest, FakeTwilioApi

ELISE = "+15145550111"  # ÉSUP, French, on call
BRIAN = "+15145550112"  # ÉSUP, English, next
SOPHIE = "+15145550113"  # supervisor, French
DENIS = "+15145550114"  # dispatcher
CALLER = "+15145559876"


def make_roster(app: Flask, clock: ManualClock) -> dict[str, int]:
    start = clock.now() - timedelta(hours=1)
    return {
        "elise": make_person(
            app, name="Élise", role=Role.ESUP, languages=("fr", "en"), phone=ELISE, on_duty_from=start
        ),
        "brian": make_person(app, name="Brian", role=Role.ESUP, languages=("en",), phone=BRIAN, on_duty_from=start),
        "sophie": make_person(
            app, name="Sophie", role=Role.SUPERVISOR, languages=("fr",), phone=SOPHIE, on_duty_from=start
        ),
        "denis": make_person(
            app, name="Denis", role=Role.DISPATCHER, languages=("fr",), phone=DENIS, on_duty_from=start
        ),
    }


def p1_case(app: Flask, *, language: str = "fr", categories: tuple[str, ...] = ("immediate_danger",)) -> int:
    """A case that triage raises to P1: the ``@on_p1`` hook starts the escalation in the same transaction."""
    with app.app_context(), runtime(app).db.transaction() as session:
        case = open_case(session, language=language, categories=list(categories))
        set_priority(session, case, "P1", actor="triage", reason="triage")
        return case.id


def the_escalation(app: Flask, case_id: int) -> Escalation:
    with runtime(app).db.sessions() as session:
        return session.scalars(select(Escalation).where(Escalation.case_id == case_id)).one()


def attempts(app: Flask, escalation_id: int) -> list[EscalationAttempt]:
    with runtime(app).db.sessions() as session:
        return list(
            session.scalars(
                select(EscalationAttempt)
                .where(EscalationAttempt.escalation_id == escalation_id)
                .order_by(EscalationAttempt.id)
            )
        )


def timeline(app: Flask, case_id: int) -> list[Event]:
    with runtime(app).db.sessions() as session:
        return list(session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id)))


def kinds(app: Flask, case_id: int) -> list[str]:
    return [event.kind for event in timeline(app, case_id) if event.kind.startswith("escalation.")]


def case_reference(app: Flask, case_id: int) -> str:
    with runtime(app).db.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.reference


def sms_to(api: FakeTwilioApi, number: str) -> list[ApiRequest]:
    return [r for r in api.requests_to("Messages.json", "POST") if r.param("To") == number and r.status == 201]


def calls_to(api: FakeTwilioApi, number: str) -> list[ApiRequest]:
    return [r for r in api.requests_to("Calls.json", "POST") if r.param("To") == number and r.status == 201]


def the_policy(app: Flask) -> Policy:
    with app.app_context():
        return policy()
