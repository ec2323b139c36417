"""The queue, a case's file, and what a dispatcher does from the console."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.console.conftest import CALLER, case_row, events_of, make_sms_case
from tests.support import sms_params, twilio_post
from tipline.clock import ManualClock
from tipline.contacts.models import Event
from tipline.contacts.optouts import set_opt_out
from tipline.outbox.models import OutboundMessage
from tipline.roster.models import Role
from tipline.runtime import runtime

Login = Callable[[FlaskClient, Role], int]


def test_the_queue_is_ordered_by_priority_then_age(
    app: Flask, client: FlaskClient, login_as: Login, clock: ManualClock
) -> None:
    old_p3, _ = make_sms_case(app, priority="P3", number="+15145550171")
    clock.advance(timedelta(minutes=5))
    new_p1, _ = make_sms_case(app, priority="P1", number="+15145550172")
    login_as(client, Role.DISPATCHER)
    items = client.get("/console/queue.json").get_json()["items"]
    assert [item["case_id"] for item in items] == [new_p1, old_p3]
    assert items[0]["kind"] == "sms"
    assert items[0]["priority_label"] == "P1 — urgent"
    assert CALLER not in str(items) and "allo" not in str(items)


def test_a_texted_conversation_appears_in_the_queue_and_can_be_taken(
    app: Flask, client: FlaskClient, login_as: Login, post: Any
) -> None:
    """Whether the SMS flow opened a case already or not (then the console opens it, triaged on what was
    written), the conversation is in the queue and one click takes it."""
    person_id = login_as(client, Role.DISPATCHER)
    twilio_post(app.test_client(), "/twilio/sms", sms_params(body="jai 15 ans il me laisse pas partir"))
    items = client.get("/console/queue.json").get_json()["items"]
    assert len(items) == 1 and items[0]["kind"] == "sms" and items[0]["claim_url"]
    taken = post(items[0]["claim_url"])
    assert taken.status_code == 302
    case_id = int(taken.headers["Location"].rsplit("/", 1)[-1])
    case = case_row(app, case_id)
    assert case.status == "claimed" and case.assignee_id == person_id
    assert case.priority == "P1" and "minor_involved" in case.categories
    page = html.unescape(client.get(f"/console/cases/{case_id}").get_data(as_text=True))
    assert "jai 15 ans il me laisse pas partir" in page  # the thread, decrypted for a dispatcher


def test_only_one_dispatcher_gets_a_case(app: Flask, login_as: Login) -> None:
    case_id, _ = make_sms_case(app)
    first, second = app.test_client(), app.test_client()
    login_as(first, Role.DISPATCHER)
    login_as(second, Role.DISPATCHER)

    def claim(client: FlaskClient) -> Any:
        with client.session_transaction() as session:
            token = session["csrf"]
        return client.post(f"/console/cases/{case_id}/claim", data={"csrf_token": token})

    assert claim(first).headers["Location"].endswith(f"/console/cases/{case_id}")
    assert claim(second).headers["Location"].endswith("/console/queue")
    assert len(events_of(app, "case.claimed")) == 1


def test_a_reply_goes_through_the_outbox_once(app: Flask, client: FlaskClient, login_as: Login, post: Any) -> None:
    case_id, contact_id = make_sms_case(app)
    login_as(client, Role.DISPATCHER)
    form = {"text": "Bonjour, nous sommes là.", "key": "form-1"}
    assert post(f"/console/cases/{case_id}/reply", form).status_code == 302
    assert post(f"/console/cases/{case_id}/reply", form).status_code == 302  # a double submit
    rt = runtime(app)
    with rt.db.transaction() as session:
        messages = list(session.scalars(select(OutboundMessage)))
        assert len(messages) == 1
        assert messages[0].purpose == "reply" and messages[0].contact_id == contact_id
        assert rt.cipher.decrypt_text(messages[0].to_enc) == CALLER
    page = html.unescape(client.get(f"/console/cases/{case_id}").get_data(as_text=True))
    assert "Bonjour, nous sommes là." in page


def test_no_reply_to_a_number_that_said_stop(app: Flask, client: FlaskClient, login_as: Login, post: Any) -> None:
    case_id, _ = make_sms_case(app)
    rt = runtime(app)
    with rt.db.transaction() as session:
        set_opt_out(session, rt.cipher, CALLER, opted_out=True, source="stop", now=rt.clock.now())
    login_as(client, Role.DISPATCHER)
    post(f"/console/cases/{case_id}/reply", {"text": "allo?", "key": "k"})
    with rt.db.transaction() as session:
        assert session.scalars(select(OutboundMessage)).first() is None


def test_numbers_are_masked_and_each_view_and_reveal_is_audited(app: Flask, login_as: Login) -> None:
    case_id, contact_id = make_sms_case(app)
    dispatcher, supervisor = app.test_client(), app.test_client()
    dispatcher_id = login_as(dispatcher, Role.DISPATCHER)
    supervisor_id = login_as(supervisor, Role.SUPERVISOR)
    assert CALLER not in dispatcher.get(f"/console/cases/{case_id}").get_data(as_text=True)
    with supervisor.session_transaction() as session:
        token = session["csrf"]
    revealed = supervisor.post(f"/console/cases/{case_id}/contacts/{contact_id}/reveal", data={"csrf_token": token})
    assert CALLER in revealed.get_data(as_text=True)
    views = events_of(app, "audit.case_view")
    assert {(case, data["person_id"]) for case, _contact, data in views} == {
        (case_id, dispatcher_id),
        (case_id, supervisor_id),
    }
    assert events_of(app, "audit.number_reveal") == [(case_id, contact_id, {"person_id": supervisor_id})]
    with runtime(app).db.transaction() as session:
        audits = session.scalars(select(Event).where(Event.kind.like("audit.%")))
        assert all(event.payload_enc is None and CALLER not in str(event.data) for event in audits)


def test_reprioritise_needs_a_reason_and_is_audited(
    app: Flask, client: FlaskClient, login_as: Login, post: Any
) -> None:
    case_id, _ = make_sms_case(app, priority="P2")
    login_as(client, Role.DISPATCHER)
    post(f"/console/cases/{case_id}/priority", {"priority": "P4", "reason": ""})
    assert case_row(app, case_id).priority == "P2"
    post(f"/console/cases/{case_id}/priority", {"priority": "P4", "reason": "information request only"})
    assert case_row(app, case_id).priority == "P4"


def test_notes_are_stored_encrypted_and_resolve_closes_the_case(
    app: Flask, client: FlaskClient, login_as: Login, post: Any
) -> None:
    case_id, _ = make_sms_case(app)
    login_as(client, Role.DISPATCHER)
    post(f"/console/cases/{case_id}/notes", {"text": "parle d'un hôtel sur la Rive-Sud"})
    with runtime(app).db.transaction() as session:
        note = session.scalars(select(Event).where(Event.kind == "case.note")).one()
        assert note.payload_enc is not None and b"Rive-Sud" not in note.payload_enc
    post(f"/console/cases/{case_id}/resolve", {"outcome": "referred"})
    case = case_row(app, case_id)
    assert (case.status, case.outcome) == ("resolved", "referred")
    assert client.get("/console/queue.json").get_json()["items"] == []


def test_recordings_play_only_through_the_authenticated_route(app: Flask, login_as: Login) -> None:
    from tests.console.test_permissions import stored_recording

    case_id, _ = make_sms_case(app, priority="P1")
    media_id = stored_recording(app, case_id)
    anonymous = app.test_client()
    assert anonymous.get(f"/console/media/{media_id}").status_code == 302
    client = app.test_client()
    login_as(client, Role.DISPATCHER)
    played = client.get(f"/console/media/{media_id}")
    assert played.status_code == 200 and played.data.startswith(b"RIFF")
    assert played.headers["Cache-Control"] == "no-store"
