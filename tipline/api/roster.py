"""Who is on duty, over the next days, and presence."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, jsonify, request

from tipline.api.registry import endpoint, json_body
from tipline.auth.current import acting_person
from tipline.auth.permissions import allowed
from tipline.request_session import request_session
from tipline.roster.models import Presence, Role
from tipline.roster.services import UnknownPersonError, duty_schedule, on_duty, set_presence
from tipline.runtime import runtime

PRESENCE = {"type": "string", "enum": [p.value for p in Presence]}
PERSON = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "role": {"type": "string"},
        "languages": {"type": "array", "items": {"type": "string"}},
        "presence": PRESENCE,
    },
}


@endpoint(
    "GET",
    "/roster/on-duty",
    summary="People on duty now (optionally ?role=&language=)",
    permission="roster.view",
    returns={"type": "object", "properties": {"people": {"type": "array", "items": PERSON}}},
)
def on_duty_now() -> Response:
    role = request.args.get("role")
    if role is not None and role not in {r.value for r in Role}:
        abort(400, description="unknown role")
    people = on_duty(
        request_session(),
        at=runtime().clock.now(),
        role=Role(role) if role else None,
        language=request.args.get("language"),
    )
    return jsonify(
        people=[
            {"id": p.id, "name": p.name, "role": p.role, "languages": p.languages, "presence": p.presence}
            for p in people
        ]
    )


@endpoint(
    "GET", "/roster/schedule", summary="Who is on duty over the next ?days= (1–31, default 7)", permission="roster.view"
)
def schedule() -> Response:
    days = request.args.get("days", default=7, type=int) or 7
    if not 1 <= days <= 31:
        abort(400, description="days must be between 1 and 31")
    now = runtime().clock.now()
    intervals = duty_schedule(request_session(), start=now, end=now + timedelta(days=days))
    return jsonify(
        intervals=[
            {
                "person_id": item.person_id,
                "name": item.name,
                "role": item.role,
                "languages": list(item.languages),
                "starts_at": item.starts_at.isoformat(),
                "ends_at": item.ends_at.isoformat(),
            }
            for item in intervals
        ]
    )


@endpoint(
    "PUT",
    "/people/<int:person_id>/presence",
    summary="Set presence: available, busy or away (your own; supervisors anyone's)",
    permission="presence.set_own",
    body={"type": "object", "required": ["presence"], "properties": {"presence": PRESENCE}},
)
def put_presence(person_id: int) -> Response:
    person = acting_person()
    if person.id != person_id and not allowed(person.role, "presence.set_any"):
        abort(403)
    presence = json_body(("presence",))["presence"]
    if not isinstance(presence, str) or presence not in {p.value for p in Presence}:
        abort(400, description="presence must be available, busy or away")
    session = request_session()
    try:
        changed = set_presence(session, person_id, presence)
    except UnknownPersonError:
        abort(404)
    session.commit()
    return jsonify(id=changed.id, presence=changed.presence)
