"""A case's text conversation: read it, and reply to the texter."""

from __future__ import annotations

import uuid

from flask import Response, abort, jsonify, request

from tipline.api.registry import endpoint, json_body
from tipline.auth.current import acting_person
from tipline.cases.models import Case
from tipline.cases.queue import may_view_case
from tipline.flows import sms_segments
from tipline.request_session import request_session
from tipline.runtime import runtime
from tipline.sms.services import MAX_BODY_CHARACTERS, ReplyRefusedError, case_thread, send_reply

MESSAGE = {
    "type": "object",
    "properties": {
        "direction": {"type": "string", "enum": ["in", "out"]},
        "source": {"type": "string", "enum": ["line", "dispatcher"]},
        "at": {"type": "string", "format": "date-time"},
        "body": {"type": "string"},
        "media": {"type": "integer"},
        "segments": {"type": "integer"},
        "state": {"type": "string"},
        "twilio_status": {"type": ["string", "null"]},
        "error_code": {"type": ["string", "null"]},
        "person_id": {"type": ["integer", "null"]},
        "outbox_id": {"type": "integer"},
    },
}
REPLY = {
    "type": "object",
    "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY_CHARACTERS}},
}


def _case(case_id: int) -> Case:
    case = request_session().get(Case, case_id)
    if case is None:
        abort(404)
    return case


def _refused(status: int, code: str, message: str) -> Response:
    response = jsonify(error=code, message=message, status=status)
    response.status_code = status
    return response


@endpoint(
    "GET",
    "/cases/<int:case_id>/messages",
    summary="The case's text conversation, oldest first (inbound, the line's replies, staff replies with status)",
    permission="case.view",
    returns={"type": "object", "properties": {"messages": {"type": "array", "items": MESSAGE}}},
)
def list_messages(case_id: int) -> Response:
    case = _case(case_id)
    person = acting_person()
    if not may_view_case(request_session(), person, case):  # ÉSUP members see escalated cases only
        abort(404)
    return jsonify(case_id=case.id, messages=case_thread(request_session(), runtime().cipher, case.id))


@endpoint(
    "POST",
    "/cases/<int:case_id>/messages",
    summary="Reply to the case's texter by SMS (409 when there is no text conversation or the texter opted out)",
    permission="case.work",
    body=REPLY,
    returns=MESSAGE,
)
def post_message(case_id: int) -> Response:
    body = json_body(("body",))["body"]
    if not isinstance(body, str) or not body.strip():
        abort(400, description="body must be a non-empty string")
    if len(body) > MAX_BODY_CHARACTERS:
        return _refused(400, "too_long", f"A text message holds at most {MAX_BODY_CHARACTERS} characters.")
    case = _case(case_id)
    session = request_session()
    request_key = request.headers.get("Idempotency-Key", "").strip()[:64] or uuid.uuid4().hex
    try:
        message = send_reply(
            session, runtime().cipher, case, body=body, person_id=acting_person().id, request_key=request_key
        )
    except ReplyRefusedError as refused:
        session.rollback()
        return _refused(409, refused.code, refused.message)
    session.commit()
    response = jsonify(
        direction="out",
        source="dispatcher",
        outbox_id=message.id,
        state=message.state,
        segments=sms_segments(body),
        at=message.created_at.isoformat(),
    )
    response.status_code = 202
    return response
