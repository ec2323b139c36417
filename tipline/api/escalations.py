"""Escalations to the ÉSUP team: escalate a case by hand, list open escalations, acknowledge one."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify
from sqlalchemy import select

import tipline.escalation.replies  # registers the SMS acknowledgement
import tipline.escalation.tasks  # noqa: F401 - registers the escalation jobs
from tipline.api.registry import endpoint
from tipline.auth.current import acting_person
from tipline.cases.models import Case
from tipline.escalation.models import OPEN_STATES, Escalation, EscalationAttempt
from tipline.escalation.services import AckOutcome, acknowledge, trigger
from tipline.request_session import request_session
from tipline.roster.models import Person

ESCALATION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "case_id": {"type": "integer"},
        "case_reference": {"type": "string"},
        "priority": {"type": "string"},
        "categories": {"type": "array", "items": {"type": "string"}},
        "state": {"type": "string", "enum": ["active", "exhausted", "acknowledged"]},
        "code": {"type": "string"},
        "step": {"type": "integer"},
        "next_step_at": {"type": "string", "format": "date-time"},
        "triggered_at": {"type": "string", "format": "date-time"},
        "source": {"type": "string"},
        "acknowledged_by": {"type": ["object", "null"]},
        "acknowledged_at": {"type": ["string", "null"], "format": "date-time"},
        "alerts": {"type": "array", "items": {"type": "object"}},
    },
}


def describe(escalation: Escalation) -> dict[str, Any]:
    session = request_session()
    case = session.get(Case, escalation.case_id)
    by = session.get(Person, escalation.acknowledged_by_id) if escalation.acknowledged_by_id else None
    attempts = session.scalars(
        select(EscalationAttempt)
        .where(EscalationAttempt.escalation_id == escalation.id)
        .order_by(EscalationAttempt.step, EscalationAttempt.id)
    ).all()
    return {
        "id": escalation.id,
        "case_id": escalation.case_id,
        "case_reference": case.reference if case else None,
        "priority": case.priority if case else None,
        "categories": list(case.categories) if case else [],
        "state": escalation.state,
        "code": escalation.code,
        "step": escalation.step,
        "next_step_at": escalation.next_step_at.isoformat(),
        "triggered_at": escalation.triggered_at.isoformat(),
        "source": escalation.source,
        "acknowledged_by": {"id": by.id, "name": by.name} if by else None,
        "acknowledged_at": escalation.acknowledged_at.isoformat() if escalation.acknowledged_at else None,
        "alerts": [
            {"step": a.step, "person_id": a.person_id, "channel": a.channel, "state": a.state} for a in attempts
        ],
    }


@endpoint(
    "POST",
    "/cases/<int:case_id>/escalate",
    summary="Escalate a case to the on-call ÉSUP member now (joins the escalation already running)",
    permission="escalation.trigger",
    returns=ESCALATION,
)
def escalate_case(case_id: int) -> tuple[Response, int]:
    session = request_session()
    case = session.get(Case, case_id)
    if case is None:
        abort(404)
    escalation, started = trigger(session, case, source="manual", actor_id=acting_person().id)
    session.commit()
    return jsonify(describe(escalation)), 201 if started else 200


@endpoint(
    "GET",
    "/escalations",
    summary="Open escalations (alerting or unacknowledged), newest first",
    permission="escalation.view",
    returns={"type": "object", "properties": {"escalations": {"type": "array", "items": ESCALATION}}},
)
def list_escalations() -> Response:
    found = request_session().scalars(
        select(Escalation).where(Escalation.state.in_(OPEN_STATES)).order_by(Escalation.triggered_at.desc())
    )
    return jsonify(escalations=[describe(escalation) for escalation in found])


@endpoint(
    "POST",
    "/escalations/<int:escalation_id>/acknowledge",
    summary="Take the case: stops the alerts (409 with who was first when someone else already did)",
    permission="escalation.acknowledge",
    returns=ESCALATION,
)
def acknowledge_escalation(escalation_id: int) -> tuple[Response, int]:
    session = request_session()
    person = acting_person()
    result = acknowledge(session, escalation_id, person, via="api")
    if result is None:
        abort(404)
    session.commit()
    body = describe(result.escalation)
    if result.outcome == AckOutcome.ALREADY and (result.by is None or result.by.id != person.id):
        by = result.by.name if result.by else "?"
        return jsonify(error=f"already acknowledged by {by}", escalation=body), 409
    return jsonify(body), 200
