"""Every /twilio/* request is checked with twilio's own RequestValidator, in one place."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import BASE_URL, TEST_AUTH_TOKEN, call_params, sign, sms_params, twilio_post
from tipline.contacts.models import Event
from tipline.runtime import runtime

TWILIO_ROUTES = [
    "/twilio/voice",
    "/twilio/voice/fallback",
    "/twilio/voice/status",
    "/twilio/sms",
    "/twilio/sms/fallback",
    "/twilio/sms/status",
]


def rejected_events(app: Any) -> list[Event]:
    with runtime(app).db.sessions() as session:
        return list(session.scalars(select(Event).where(Event.kind == "webhook.rejected")))


@pytest.mark.parametrize("path", TWILIO_ROUTES)
def test_a_valid_signature_is_served(client: FlaskClient, path: str) -> None:
    params = sms_params() if "sms" in path else call_params()
    response = twilio_post(client, path, params)
    assert response.status_code in (200, 204)


@pytest.mark.parametrize("path", TWILIO_ROUTES)
def test_a_missing_signature_is_refused_and_recorded_without_the_body(app: Any, client: FlaskClient, path: str) -> None:
    response = client.post(path, data=sms_params(body="mon secret"))
    assert response.status_code == 403
    events = rejected_events(app)
    assert [event.data for event in events] == [{"path": path, "reason": "missing"}]
    assert events[0].payload_enc is None


def test_a_signature_made_with_another_token_is_refused(app: Any, client: FlaskClient) -> None:
    response = twilio_post(client, "/twilio/voice", call_params(), token="not-the-token")
    assert response.status_code == 403
    assert rejected_events(app)[0].data["reason"] == "invalid"


def test_a_signature_for_another_url_is_refused(client: FlaskClient) -> None:
    response = twilio_post(client, "/twilio/voice", call_params(), signed_url="https://evil.example/twilio/voice")
    assert response.status_code == 403


def test_changed_parameters_break_the_signature(client: FlaskClient) -> None:
    params = call_params()
    signature = sign(BASE_URL + "/twilio/voice", params)
    tampered = {**params, "From": "+15145550000"}
    response = client.post("/twilio/voice", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_https_behind_a_tls_proxy_validates_against_the_public_url(client: FlaskClient) -> None:
    """Twilio signs https://line.example.org/...; the app sees http://localhost via the proxy's headers."""
    params = call_params()
    public = "https://line.example.org/twilio/voice"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "line.example.org"}
    accepted = twilio_post(client, "/twilio/voice", params, signed_url=public, headers=headers)
    assert accepted.status_code == 200
    without_proxy_headers = twilio_post(client, "/twilio/voice", call_params("CA" + "c" * 32), signed_url=public)
    assert without_proxy_headers.status_code == 403


def test_repeated_parameters_are_part_of_the_signature(client: FlaskClient) -> None:
    params = [*sms_params().items(), ("MediaUrl0", "https://a.example/1"), ("Extra", "one"), ("Extra", "two")]
    assert twilio_post(client, "/twilio/sms", params).status_code == 200
    signature = sign(BASE_URL + "/twilio/sms", params)
    dropped = [pair for pair in params if pair != ("Extra", "two")]
    response = client.post("/twilio/sms", data=_multidict(dropped), headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_configured_public_url_is_what_is_validated(tmp_path: Any, database_url: str) -> None:
    from tests.support import settings_for
    from tipline import create_app

    app = create_app(settings_for(tmp_path, database_url=database_url, public_url="https://tips.example.ca"))
    client = app.test_client()
    signed_public = "https://tips.example.ca/twilio/voice/status?x=1"
    response = twilio_post(
        client, "/twilio/voice/status?x=1", call_params(CallStatus="completed"), signed_url=signed_public
    )
    assert response.status_code == 204
    as_seen_locally = twilio_post(client, "/twilio/voice/status?x=1", call_params(CallStatus="completed"))
    assert as_seen_locally.status_code == 403
    runtime(app).db.dispose()


def _multidict(pairs: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def test_the_token_in_use_is_the_configured_one(app: Any) -> None:
    assert runtime(app).settings.twilio_auth_token == TEST_AUTH_TOKEN
