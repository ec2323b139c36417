"""The dispatchers' queue over the JSON API: listing, claiming, notes, resolving, re-prioritising, callbacks
from the line's own number, the audited reveal of a number, and a case's detail."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests.factories import auth
from tests.routing.conftest import Line, QueueCaller
from tipline.cases.models import Case, CaseChange
from tipline.contacts.models import Event
from tipline.roster.models import Role
from tipline.routing.models import CallbackRequest, CallbackState
from tipline.runtime import runtime
from tipline.simulate.events import Dialled

DISPATCHER = "+15145550102"
SUPERVISOR = "+15145550105"
CALLER = "+15145559876"
LINE_NUMBER = "+15145550100"


def new_case(app: Flask, priority: str = "P3", **values: object) -> int:
    from tipline.cases.services import open_case

    with runtime(app).db.transaction() as session:
        case = open_case(session, language="fr", priority=priority)
        for name, value in values.items():
            setattr(case, name, value)
        return case.id


def test_the_queue_lists_open_cases_by_priority_then_missed_then_age(line: Line) -> None:
    me = line.handler("Marie", ("fr",), DISPATCHER)
    p3 = new_case(line.app, "P3")
    p2 = new_case(line.app, "P2")
    p1_old = new_case(line.app, "P1")
    p1_missed = new_case(line.app, "P1", missed_at=line.clock.now())
    new_case(line.app, "P1", status="resolved")
    client = line.app.test_client()
    listing = client.get("/api/v1/queue", headers=auth(line.token(me)))
    assert listing.status_code == 200
    assert [entry["id"] for entry in listing.get_json()["cases"]] == [p1_missed, p1_old, p2, p3]
    assert client.get("/api/v1/queue").status_code == 401


def test_claim_notes_priority_and_resolve(line: Line) -> None:
    me = line.handler("Marie", ("fr",), DISPATCHER)
    other = line.handler("Luc", ("fr",), "+15145550104")
    case_id = new_case(line.app, "P3")
    client, mine, theirs = line.app.test_client(), auth(line.token(me)), auth(line.token(other))

    assert client.post(f"/api/v1/cases/{case_id}/claim", headers=mine).status_code == 200
    assert client.post(f"/api/v1/cases/{case_id}/claim", headers=mine).get_json()["result"] == "already_yours"
    taken = client.post(f"/api/v1/cases/{case_id}/claim", headers=theirs)
    assert (taken.status_code, taken.get_json()["reason"]) == (409, "taken")

    note = client.post(f"/api/v1/cases/{case_id}/notes", json={"text": "Elle est à l'hôtel X"}, headers=mine)
    assert note.status_code == 200
    assert client.post(f"/api/v1/cases/{case_id}/priority", json={"priority": "P2"}, headers=mine).status_code == 400
    raised = client.post(
        f"/api/v1/cases/{case_id}/priority", json={"priority": "P2", "reason": "mineure probable"}, headers=mine
    )
    assert raised.get_json()["priority"] == "P2"
    assert (
        client.post(f"/api/v1/cases/{case_id}/resolve", json={"outcome": "whatever"}, headers=mine).status_code == 400
    )
    resolved = client.post(f"/api/v1/cases/{case_id}/resolve", json={"outcome": "referred"}, headers=mine)
    assert resolved.get_json() == {"id": case_id, "status": "resolved", "outcome": "referred"}

    detail = client.get(f"/api/v1/cases/{case_id}", headers=mine).get_json()
    assert [note["text"] for note in detail["timeline"] if note["kind"] == "case.note"] == ["Elle est à l'hôtel X"]
    assert {"assignee", "priority", "status"} <= {change["field"] for change in detail["changes"]}
    assert "triage_reasons" in detail
    with runtime(line.app).db.sessions() as session:
        stored = session.scalars(select(Event).where(Event.kind == "case.note")).one()
        assert stored.payload_enc is not None and "hôtel".encode() not in stored.payload_enc
        reason = session.scalars(select(CaseChange).where(CaseChange.field == "priority")).one()
        assert (reason.actor, reason.reason) == (f"person:{me}", "mineure probable")


def test_a_callback_rings_the_dispatcher_then_dials_the_caller_from_the_line(line: Line) -> None:
    me = line.handler("Marie", ("fr",), DISPATCHER, on_duty=False)
    caller = line.caller(CALLER)
    caller.run(QueueCaller(["1", "1", "record:10:#", "1", "1"]))  # nobody on duty; a callback, any time
    with runtime(line.app).db.sessions() as session:
        case_id = session.scalars(select(Case.id)).one()
    client = line.app.test_client()
    placed = client.post(f"/api/v1/cases/{case_id}/callback", headers=auth(line.token(me)))
    assert placed.status_code == 200
    line.run_jobs()
    [call] = line.calls_to(DISPATCHER)
    assert call["from"] == LINE_NUMBER, "the dispatcher's phone shows the line's number"
    side = line.answer(call["sid"], ["dial:completed:120"])
    [dialled] = [event for event in side.transcript if isinstance(event, Dialled)]
    assert (dialled.targets, dialled.caller_id) == ((CALLER,), LINE_NUMBER), "the caller sees the line's number"
    with runtime(line.app).db.sessions() as session:
        callback = session.scalars(select(CallbackRequest)).one()
        assert callback.state == CallbackState.COMPLETED
        case = session.get(Case, case_id)
        assert case is not None and case.missed_at is None
    listing = client.get("/api/v1/queue", headers=auth(line.token(me))).get_json()
    assert CALLER not in str(listing) and CALLER.removeprefix("+") not in str(listing)


def test_revealing_a_number_is_for_supervisors_and_audited(line: Line) -> None:
    dispatcher = line.handler("Marie", ("fr",), DISPATCHER, on_duty=False)
    supervisor = line.handler("Sophie", ("fr",), SUPERVISOR, role=Role.SUPERVISOR, on_duty=False)
    line.caller(CALLER).run(QueueCaller(["1", "1", "record:10:#", "1", "1"]))
    with runtime(line.app).db.sessions() as session:
        case_id = session.scalars(select(Case.id)).one()
    client = line.app.test_client()
    url = f"/api/v1/cases/{case_id}/caller-number"
    assert client.get(url, headers=auth(line.token(dispatcher))).status_code == 403
    assert client.get(url, headers=auth(line.token(supervisor))).get_json()["number"] == CALLER
    with runtime(line.app).db.sessions() as session:
        audit = session.scalars(select(Event).where(Event.kind == "case.number_revealed")).one()
        assert audit.data["person_id"] == supervisor and CALLER not in str(audit.data)
