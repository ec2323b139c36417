"""Bad input gets a clear status and a short message: no stack trace, nothing stored in clear."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import BASE_URL, sign, sms_params, twilio_post
from tipline.contacts.models import Event
from tipline.runtime import runtime


def test_an_oversized_post_is_413_and_nothing_is_stored(app: Any, client: FlaskClient) -> None:
    params = sms_params(body="x" * 400_000)
    response = client.post(
        "/twilio/sms", data=params, headers={"X-Twilio-Signature": sign(BASE_URL + "/twilio/sms", params)}
    )
    assert response.status_code == 413
    assert b"Traceback" not in response.data
    with runtime(app).db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.kind == "sms.in")) == 0


def test_unknown_routes_and_wrong_methods_are_clear(client: FlaskClient) -> None:
    assert client.post("/twilio/nowhere").status_code == 404
    assert client.get("/nowhere").status_code == 404
    wrong_method = client.get("/twilio/voice")
    assert wrong_method.status_code == 405
    assert b"Traceback" not in wrong_method.data
    assert client.delete("/healthz").status_code == 405


def test_a_malformed_body_is_refused_without_a_stack_trace(client: FlaskClient) -> None:
    response = client.post(
        "/twilio/sms",
        data=b"\xff\xfe%%%&&&=\x00",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": "bogus"},
    )
    assert response.status_code == 403
    assert b"Traceback" not in response.data


def test_an_empty_signed_sms_is_answered(client: FlaskClient) -> None:
    response = twilio_post(client, "/twilio/sms", sms_params(body=""))
    assert response.status_code == 200
    assert b"<Message>" in response.data


def test_a_signed_voice_post_without_call_sid_still_reaches_a_human(client: FlaskClient) -> None:
    response = twilio_post(client, "/twilio/voice", {"From": "+15145559876"})
    assert response.status_code == 200
    assert b"<Response>" in response.data
