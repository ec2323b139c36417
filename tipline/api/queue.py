"""The dispatchers' queue and the work on a case: list, claim, notes, resolve, re-prioritise, call back,
detail, and the audited reveal of a caller's number."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request

from tipline.api.registry import endpoint, json_body
from tipline.auth.current import acting_person
from tipline.cases.models import PRIORITIES, Case, CaseStatus
from tipline.cases.queue import (
    DEFAULT_LIMIT,
    OUTCOMES,
    ClaimResult,
    add_note,
    case_detail,
    claim_case,
    list_queue,
    may_view_case,
    resolve_case,
    reveal_caller_number,
)
from tipline.cases.triage_service import set_priority
from tipline.request_session import request_session
from tipline.routing.callbacks import CallbackError, place_callback
from tipline.runtime import runtime

MAX_NOTE = 10_000
ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "priority": {"type": "string", "enum": list(PRIORITIES)},
        "status": {"type": "string"},
        "missed": {"type": "boolean"},
        "kinds": {
            "type": "array",
            "items": {"enum": ["call", "waiting_call", "callback", "voicemail", "sms", "sms_active", "tip"]},
        },
        "waiting_call": {"type": ["object", "null"]},
        "callback": {"type": ["object", "null"]},
        "age_seconds": {"type": "integer"},
    },
}


def _conflict(reason: str, status: int = 409) -> Response:
    response = jsonify(error="Conflict" if status == 409 else "Unprocessable", reason=reason, status=status)
    response.status_code = status
    return response


def _case(case_id: int, *, lock: bool = False) -> Case:
    case = request_session().get(Case, case_id, with_for_update=lock or None)
    if case is None:
        abort(404)
    return case


@endpoint(
    "GET",
    "/queue",
    summary="Open cases by priority, then callers nobody answered, then age (?limit=, at most 500)",
    permission="queue.view",
    returns={"type": "object", "properties": {"cases": {"type": "array", "items": ENTRY}}},
)
def queue_list() -> Response:
    limit = request.args.get("limit", default=DEFAULT_LIMIT, type=int) or DEFAULT_LIMIT
    if not 1 <= limit <= 500:
        abort(400)
    now = runtime().clock.now()
    return jsonify(cases=[entry.to_dict(now) for entry in list_queue(request_session(), now=now, limit=limit)])


@endpoint(
    "POST", "/cases/<int:case_id>/claim", summary="Take a case (409 if someone else has it)", permission="case.work"
)
def case_claim(case_id: int) -> Response:
    session = request_session()
    result = claim_case(session, case_id, acting_person(), now=runtime().clock.now())
    if result is ClaimResult.NOT_FOUND:
        abort(404)
    if result is ClaimResult.TAKEN:
        session.rollback()
        return _conflict("taken")
    session.commit()
    return jsonify(id=case_id, status=CaseStatus.CLAIMED, assignee_id=acting_person().id, result=result.value)


@endpoint(
    "POST",
    "/cases/<int:case_id>/notes",
    summary="Add a note (stored encrypted in the case's timeline)",
    permission="case.work",
    body={"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": MAX_NOTE}}},
)
def case_note(case_id: int) -> Response:
    text = json_body(("text",))["text"]
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE:
        abort(400)
    session = request_session()
    event = add_note(session, runtime().cipher, _case(case_id), acting_person(), text.strip())
    session.commit()
    return jsonify(id=event.id, case_id=case_id)


@endpoint(
    "POST",
    "/cases/<int:case_id>/resolve",
    summary="Resolve a case with an outcome",
    permission="case.work",
    body={"type": "object", "required": ["outcome"], "properties": {"outcome": {"enum": list(OUTCOMES)}}},
)
def case_resolve(case_id: int) -> Response:
    outcome = json_body(("outcome",))["outcome"]
    if outcome not in OUTCOMES:
        return _conflict(f"outcome must be one of: {', '.join(OUTCOMES)}", 400)
    session = request_session()
    case = _case(case_id, lock=True)
    if case.status == CaseStatus.RESOLVED:
        return _conflict("already_resolved")
    resolve_case(session, case, acting_person(), outcome, now=runtime().clock.now())
    session.commit()
    return jsonify(id=case.id, status=case.status, outcome=case.outcome)


@endpoint(
    "POST",
    "/cases/<int:case_id>/priority",
    summary="Change a case's priority, with a reason (audited)",
    permission="case.work",
    body={
        "type": "object",
        "required": ["priority", "reason"],
        "properties": {"priority": {"enum": list(PRIORITIES)}, "reason": {"type": "string", "minLength": 1}},
    },
)
def case_priority(case_id: int) -> Response:
    body = json_body(("priority", "reason"))
    priority, reason = body["priority"], body["reason"]
    if priority not in PRIORITIES or not isinstance(reason, str) or not reason.strip():
        return _conflict("a known priority and a reason are required", 400)
    session = request_session()
    case = _case(case_id, lock=True)
    set_priority(session, case, priority, actor=f"person:{acting_person().id}", reason=reason.strip()[:500])
    session.commit()
    return jsonify(id=case.id, priority=case.priority)


@endpoint(
    "POST",
    "/cases/<int:case_id>/callback",
    summary="Call the caller back from the line's own number: your phone rings first (the number is never shown)",
    permission="callback.place",
)
def case_callback(case_id: int) -> Response:
    rt = runtime()
    session = request_session()
    case = _case(case_id)
    try:
        placed = place_callback(session, rt.cipher, case=case, dispatcher=acting_person(), now=rt.clock.now())
    except CallbackError as error:
        session.rollback()
        return _conflict(error.problem.value, 409 if error.problem.value in ("engaged", "in_progress") else 422)
    session.commit()
    return jsonify(id=placed.id, case_id=case.id, state=placed.state)


@endpoint(
    "GET",
    "/cases/<int:case_id>/caller-number",
    summary="Reveal the caller's number (each reveal is written to the case's timeline)",
    permission="case.reveal_number",
)
def case_caller_number(case_id: int) -> Response:
    session = request_session()
    number = reveal_caller_number(session, runtime().cipher, _case(case_id), acting_person())
    session.commit()
    return jsonify(case_id=case_id, number=number)


@endpoint("GET", "/cases/<int:case_id>", summary="A case: triage reasons, changes, timeline", permission="case.view")
def case_detail_view(case_id: int) -> Response:
    session = request_session()
    case = _case(case_id)
    if not may_view_case(session, acting_person(), case):
        abort(404)
    found: dict[str, Any] = case_detail(session, runtime().cipher, case, now=runtime().clock.now())
    return jsonify(found)
