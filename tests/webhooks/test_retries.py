"""Twilio retries a step it got no answer to: the same step is processed once and answered the same."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import call_params, sms_params, twilio_post
from tipline.contacts.models import Contact, Event
from tipline.runtime import runtime


def count(app: Any, model: Any, *where: Any) -> int:
    with runtime(app).db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_the_same_call_step_twice_is_answered_the_same_and_stored_once(app: Any, client: FlaskClient) -> None:
    first = twilio_post(client, "/twilio/voice", call_params())
    again = twilio_post(client, "/twilio/voice", call_params())
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    assert count(app, Event, Event.kind == "voice.incoming") == 1
    assert count(app, Contact) == 1


def test_another_call_is_another_contact(app: Any, client: FlaskClient) -> None:
    twilio_post(client, "/twilio/voice", call_params("CA" + "1" * 32))
    twilio_post(client, "/twilio/voice", call_params("CA" + "2" * 32))
    assert count(app, Contact) == 2


def test_the_same_message_sid_twice_is_stored_once(app: Any, client: FlaskClient) -> None:
    first = twilio_post(client, "/twilio/sms", sms_params(body="bonjour"))
    again = twilio_post(client, "/twilio/sms", sms_params(body="bonjour"))
    assert first.get_data() == again.get_data()
    assert count(app, Event, Event.kind == "sms.in") == 1


def test_message_bodies_are_stored_encrypted_only(app: Any, client: FlaskClient) -> None:
    twilio_post(client, "/twilio/sms", sms_params(body="il garde mon passeport"))
    rt = runtime(app)
    with rt.db.sessions() as session:
        event = session.scalars(select(Event).where(Event.kind == "sms.in")).one()
        contact = session.scalars(select(Contact)).one()
        assert b"passeport" not in (event.payload_enc or b"")
        assert "passeport" not in str(event.data)
        assert event.payload_enc is not None
        assert rt.cipher.decrypt_text(event.payload_enc) == "il garde mon passeport"
        assert contact.caller_number_enc is not None
        assert b"5559876" not in contact.caller_number_enc
        assert rt.cipher.decrypt_text(contact.caller_number_enc) == "+15145559876"


def test_the_webhook_log_keeps_no_number_or_body_in_clear(app: Any, client: FlaskClient) -> None:
    twilio_post(client, "/twilio/sms", sms_params(body="secret words"))
    twilio_post(client, "/twilio/voice", call_params(Digits="1234"))
    with runtime(app).db.sessions() as session:
        for event in session.scalars(select(Event)):
            text = str(event.data)
            assert "5559876" not in text
            assert "secret" not in text
            assert "1234" not in text
