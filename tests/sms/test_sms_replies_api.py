"""Dispatchers reply through the JSON API: the real twilio client to a local Twilio, signed status callbacks back."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import auth, make_person, make_token
from tipline.cases.models import Case
from tipline.cases.services import open_case
from tipline.clock import ManualClock
from tipline.contacts.models import Contact
from tipline.contacts.optouts import is_opted_out
from tipline.outbox.models import OutboundMessage, OutboundState
from tipline.roster.models import Role
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from workers.jobs import run_due_jobs

from .conftest import TEXTER, Phone

JOURNEY_3 = "jai 15 ans il me laisse pas partir"


def headers(app: Flask, role: Role = Role.DISPATCHER) -> dict[str, str]:
    person = make_person(app, name=f"{role}", role=role, languages=("fr",), phone=f"+1514555{hash(role) % 10000:04d}")
    return auth(make_token(app, person))


def the_case_id(app: Flask) -> int:
    with runtime(app).db.sessions() as session:
        return int(session.scalars(select(Case.id)).one())


def reply(client: FlaskClient, app: Flask, case_id: int, body: str, **extra: str) -> tuple[int, dict[str, object]]:
    answer = client.post(f"/api/v1/cases/{case_id}/messages", json={"body": body}, headers={**headers(app), **extra})
    return answer.status_code, answer.json or {}


def test_journey_3_a_dispatcher_takes_the_conversation_and_the_status_comes_back(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    texter = twilio_phone()
    texter.send(JOURNEY_3)
    clock.advance(timedelta(seconds=30))
    case_id = the_case_id(twilio_app)
    client = twilio_app.test_client()
    body = "Bonjour, je suis là pour toi. Es-tu en sécurité maintenant ? Tu peux m'écrire ici 🙂"
    status, sent = reply(client, twilio_app, case_id, body)
    assert status == 202 and sent["state"] == OutboundState.PENDING and sent["segments"] == 2
    run_due_jobs(twilio_app)
    (message,) = fake_twilio.messages
    assert message["to"] == TEXTER and message["from"] == "+15145550100"
    assert message["body"] == body
    fake_twilio.deliver_pending()
    with runtime(twilio_app).db.sessions() as session:
        row = session.scalars(select(OutboundMessage)).one()
        assert row.state == OutboundState.DELIVERED and row.purpose == "reply"
    # The texter's answer goes to the case, not to the script: the dispatcher took the conversation.
    clock.advance(timedelta(seconds=30))
    assert texter.send("oui je suis dans la salle de bain") == []
    thread = client.get(f"/api/v1/cases/{case_id}/messages", headers=headers(twilio_app, Role.SUPERVISOR))
    assert thread.status_code == 200 and thread.json is not None
    messages = thread.json["messages"]
    assert [(m["direction"], m.get("source")) for m in messages] == [
        ("in", None),
        ("out", "line"),
        ("out", "dispatcher"),
        ("in", None),
    ]
    assert messages[0]["body"] == JOURNEY_3
    assert messages[2]["state"] == "delivered" and messages[2]["twilio_status"] == "delivered"
    assert messages[2]["segments"] == 2 and messages[3]["body"] == "oui je suis dans la salle de bain"


def test_an_undelivered_reply_shows_its_error_code(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi
) -> None:
    twilio_phone().send(JOURNEY_3)
    case_id = the_case_id(twilio_app)
    fake_twilio.set_message_outcome(TEXTER, "undelivered", 30003)
    client = twilio_app.test_client()
    assert reply(client, twilio_app, case_id, "Bonjour")[0] == 202
    run_due_jobs(twilio_app)
    fake_twilio.deliver_pending()
    thread = client.get(f"/api/v1/cases/{case_id}/messages", headers=headers(twilio_app)).json
    assert thread is not None
    (sent,) = [m for m in thread["messages"] if m.get("source") == "dispatcher"]
    assert sent["state"] == "failed" and sent["error_code"] == "30003" and sent["twilio_status"] == "undelivered"
    with runtime(twilio_app).db.sessions() as session:
        assert not is_opted_out(session, runtime(twilio_app).cipher, TEXTER)


def test_twilio_21610_marks_the_number_opted_out(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi
) -> None:
    twilio_phone().send(JOURNEY_3)
    case_id = the_case_id(twilio_app)
    fake_twilio.opt_out(TEXTER)  # the texter sent STOP to Twilio, which did not tell us
    client = twilio_app.test_client()
    assert reply(client, twilio_app, case_id, "Bonjour")[0] == 202
    run_due_jobs(twilio_app)
    with runtime(twilio_app).db.sessions() as session:
        row = session.scalars(select(OutboundMessage)).one()
        assert row.state == OutboundState.FAILED and row.error_code == "21610"
        assert is_opted_out(session, runtime(twilio_app).cipher, TEXTER)
    status, refused = reply(client, twilio_app, case_id, "Bonjour ?")
    assert status == 409 and refused["error"] == "opted_out"
    assert twilio_phone().send("allo") == []


def test_nothing_is_sent_to_a_number_that_never_texted(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    rt = runtime(twilio_app)
    with rt.db.transaction() as session:
        case = open_case(session, language="fr")
        session.add(Contact(channel="voice", twilio_sid="CA" + "a" * 32, case_id=case.id))
        case_id = case.id
    status, refused = reply(twilio_app.test_client(), twilio_app, case_id, "Bonjour")
    assert status == 409 and refused["error"] == "no_sms_conversation"
    run_due_jobs(twilio_app)
    assert fake_twilio.messages == []


def test_a_repeated_request_sends_once(twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi) -> None:
    twilio_phone().send(JOURNEY_3)
    case_id = the_case_id(twilio_app)
    client = twilio_app.test_client()
    key = {"Idempotency-Key": "reply-1"}
    first = reply(client, twilio_app, case_id, "Bonjour", **key)[1]
    second = reply(client, twilio_app, case_id, "Bonjour", **key)[1]
    assert first["outbox_id"] == second["outbox_id"]
    run_due_jobs(twilio_app)
    assert len(fake_twilio.messages) == 1


def test_bad_requests_and_permissions(app: Flask, phone: Phone) -> None:
    phone().send(JOURNEY_3)
    case_id = the_case_id(app)
    client = app.test_client()
    dispatcher = headers(app)
    assert client.post(f"/api/v1/cases/{case_id}/messages", json={}, headers=dispatcher).status_code == 400
    too_long = client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "x" * 1601}, headers=dispatcher)
    assert too_long.status_code == 400
    assert (
        client.post(f"/api/v1/cases/{case_id + 99}/messages", json={"body": "x"}, headers=dispatcher).status_code == 404
    )
    assert client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "x"}).status_code == 401
    esup = headers(app, Role.ESUP)
    assert client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "x"}, headers=esup).status_code == 403
    assert client.get(f"/api/v1/cases/{case_id}/messages", headers=esup).status_code == 200  # a P1 case


def test_the_api_is_described(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document is not None
    operations = document["paths"]["/cases/{case_id}/messages"]
    assert operations["get"]["x-permission"] == "case.view" and operations["post"]["x-permission"] == "case.work"
