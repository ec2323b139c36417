"""The fake REST API, driven by the real ``twilio`` client."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask, Response, abort, request
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from tipline.simulate.fake_twilio_api import WAV_BYTES, FakeTwilioApi
from tipline.simulate.params import new_sid
from tipline.simulate.sms import SmsSimulator
from tipline.simulate.transport import FlaskClientTransport
from tipline.twilio_client import ApiUrlHttpClient, twilio_client_for

ACCOUNT = "AC" + "1" * 32
TOKEN = "fake-api-token"
BASE = "https://line.example.org"
LINE = "+15145550100"
ESUP = "+15145550120"


def make_app() -> Flask:
    """Status callbacks and an outbound-call document, signature-checked like the real application."""
    app = Flask(__name__)
    app.config["callbacks"] = []

    @app.before_request
    def check_signature() -> None:
        if not RequestValidator(TOKEN).validate(
            request.url, request.form, request.headers.get("X-Twilio-Signature", "")
        ):
            abort(403)

    @app.post("/twilio/sms/status")
    @app.post("/twilio/voice/status")
    def status() -> tuple[str, int]:
        app.config["callbacks"].append(request.form.to_dict())
        return "", 204

    @app.post("/esup/alert")
    def alert() -> Response:
        return Response(
            '<Response><Gather numDigits="1" action="/esup/ack"><Say language="fr-CA">Alerte. '
            "Faites le 1 pour accepter.</Say></Gather></Response>",
            mimetype="text/xml",
        )

    @app.post("/esup/ack")
    def ack() -> Response:
        app.config["ack"] = request.form.to_dict()
        return Response("<Response><Say>Merci.</Say></Response>", mimetype="text/xml")

    @app.post("/twilio/sms")
    def inbound() -> Response:
        app.config["inbound"] = request.form.to_dict()
        return Response("<Response/>", mimetype="text/xml")

    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


@pytest.fixture
def api(app: Flask) -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(ACCOUNT, TOKEN, callback_transport=FlaskClientTransport(app.test_client())) as server:
        yield server


def test_create_and_fetch_a_message(api: FakeTwilioApi) -> None:
    client = api.client()
    message = client.messages.create(to=ESUP, from_=LINE, body="Alerte P1 : rappel requis")
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.num_segments) == ("queued", ESUP, LINE, "1")
    assert message.date_created is not None and message.direction == "outbound-api"
    sent = api.requests_to("Messages.json", "POST")[0]
    assert (sent.param("To"), sent.param("From"), sent.param("Body")) == (ESUP, LINE, "Alerte P1 : rappel requis")
    assert sent.authorized and sent.status == 201
    assert client.messages(message.sid).fetch().body == "Alerte P1 : rappel requis"


def test_media_urls_are_repeated_parameters(api: FakeTwilioApi) -> None:
    api.client().messages.create(to=ESUP, from_=LINE, media_url=["https://a.org/1.png", "https://a.org/2.png"])
    sent = api.requests_to("Messages.json", "POST")[0]
    assert sent.params_named("MediaUrl") == ["https://a.org/1.png", "https://a.org/2.png"]
    assert api.messages[0]["num_media"] == "2"


def test_opted_out_numbers_fail_with_21610(api: FakeTwilioApi) -> None:
    api.opt_out(ESUP)
    with pytest.raises(TwilioRestException) as caught:
        api.client().messages.create(to=ESUP, from_=LINE, body="x")
    assert (caught.value.code, caught.value.status) == (21610, 400)


def test_invalid_to_fails_with_21211(api: FakeTwilioApi) -> None:
    with pytest.raises(TwilioRestException) as caught:
        api.client().messages.create(to="514-555", from_=LINE, body="x")
    assert caught.value.code == 21211


def test_a_wrong_token_is_401(api: FakeTwilioApi) -> None:
    client = twilio_client_for(api.base_url, ACCOUNT, "not-the-token")
    try:
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to=ESUP, from_=LINE, body="x")
    finally:
        client.http_client.session.close()
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert not api.requests[0].authorized and not api.messages


def test_create_update_and_fetch_a_call(api: FakeTwilioApi) -> None:
    client = api.client()
    call = client.calls.create(
        to=ESUP,
        from_=LINE,
        url=f"{BASE}/esup/alert",
        timeout=25,
        status_callback=f"{BASE}/twilio/voice/status",
        status_callback_event=["initiated", "answered", "completed"],
    )
    assert call.sid.startswith("CA") and call.status == "queued"
    created = api.requests_to("Calls.json", "POST")[0]
    assert created.params_named("StatusCallbackEvent") == ["initiated", "answered", "completed"]
    assert created.param("Timeout") == "25"
    updated = client.calls(call.sid).update(twiml="<Response><Say>Changement</Say></Response>")
    assert updated.sid == call.sid
    ended = client.calls(call.sid).update(status="completed")
    assert ended.status == "canceled"  # it was never answered
    assert client.calls(call.sid).fetch().status == "canceled"
    assert api.pending_callbacks == []  # a canceled call has no progress left to report


def test_recordings_fetch_download_and_delete(api: FakeTwilioApi) -> None:
    sid, url = api.add_recording("CA" + "2" * 32, 42)
    client = api.client()
    recording = client.recordings(sid).fetch()
    assert (recording.sid, recording.duration, recording.call_sid) == (sid, "42", "CA" + "2" * 32)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as unauthenticated:
        opener.open(url)
    unauthenticated.value.close()
    assert unauthenticated.value.code == 401
    credentials = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    authorized = urllib.request.Request(f"{url}.wav", headers={"Authorization": f"Basic {credentials}"})  # noqa: S310
    with opener.open(authorized) as answer:
        assert answer.headers["Content-Type"] == "audio/x-wav" and answer.read() == WAV_BYTES
    assert client.recordings(sid).delete() is True
    assert not api.recording_exists(sid)
    with pytest.raises(TwilioRestException) as caught:
        client.recordings(sid).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_undelivered_sms_status_callbacks_are_signed_and_in_order(api: FakeTwilioApi, app: Flask) -> None:
    api.set_message_outcome(ESUP, "undelivered", error_code=30003)
    client = api.client()
    message = client.messages.create(to=ESUP, from_=LINE, body="Alerte", status_callback=f"{BASE}/twilio/sms/status")
    assert app.config["callbacks"] == []  # nothing happens until the test says so
    responses = api.deliver_pending()
    assert [response.status for response in responses] == [204, 204]  # signatures validated
    sent, undelivered = app.config["callbacks"]
    assert (sent["MessageStatus"], undelivered["MessageStatus"]) == ("sent", "undelivered")
    assert undelivered["ErrorCode"] == "30003" and "ErrorCode" not in sent
    assert (undelivered["MessageSid"], undelivered["AccountSid"], undelivered["To"]) == (message.sid, ACCOUNT, ESUP)
    fetched = client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)


def test_deliver_status_on_demand(api: FakeTwilioApi, app: Flask) -> None:
    message = api.client().messages.create(to=ESUP, from_=LINE, body="x", status_callback=f"{BASE}/twilio/sms/status")
    assert api.deliver_status(message.sid, "delivered").status == 204
    assert app.config["callbacks"][-1]["MessageStatus"] == "delivered"
    assert api.pending_callbacks == []


def test_unanswered_call_callbacks(api: FakeTwilioApi, app: Flask) -> None:
    api.set_call_outcome(ESUP, "no-answer")
    call = api.client().calls.create(
        to=ESUP,
        from_=LINE,
        url=f"{BASE}/esup/alert",
        status_callback=f"{BASE}/twilio/voice/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    api.deliver_pending(call.sid)
    statuses = [callback["CallStatus"] for callback in app.config["callbacks"]]
    assert statuses == ["initiated", "ringing", "no-answer"]
    assert app.config["callbacks"][-1]["CallDuration"] == "0"
    assert app.config["callbacks"][-1]["Direction"] == "outbound-api"


def test_an_answered_outbound_call_plays_its_url(api: FakeTwilioApi, app: Flask) -> None:
    call = api.client().calls.create(to=ESUP, from_=LINE, url=f"{BASE}/esup/alert")
    simulator = api.call_simulator(call.sid, FlaskClientTransport(app.test_client()))
    simulator.run(["1"])
    assert simulator.heard("fr-CA") == ["Alerte. Faites le 1 pour accepter."]
    assert app.config["ack"]["Digits"] == "1"
    assert (app.config["ack"]["CallSid"], app.config["ack"]["Direction"]) == (call.sid, "outbound-api")
    assert (app.config["ack"]["From"], app.config["ack"]["To"]) == (LINE, ESUP)


def test_inbound_mms_media_is_served(api: FakeTwilioApi, app: Flask) -> None:
    sid = new_sid("MM")
    media_url = api.add_media(sid, "image/png", b"\x89PNG")
    sms = SmsSimulator(FlaskClientTransport(app.test_client()), BASE, TOKEN, ESUP, LINE, account_sid=ACCOUNT)
    sms.send("photo", [media_url], ["image/png"], sid=sid)
    assert (app.config["inbound"]["MediaUrl0"], app.config["inbound"]["MessageSid"]) == (media_url, sid)
    client = api.client()
    parent, media_sid = media_url.split("/Messages/")[1].split("/Media/")
    assert client.messages(parent).media(media_sid).fetch().content_type == "image/png"
    assert client.messages(parent).media(media_sid).delete() is True


def test_api_url_rewrites_only_twilio_hosts() -> None:
    http = ApiUrlHttpClient("http://127.0.0.1:9999/prefix")
    try:
        assert http.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1") == (
            "http://127.0.0.1:9999/prefix/2010-04-01/Accounts/AC1/Messages.json?x=1"
        )
        assert http.rewrite("https://example.org/a") == "https://example.org/a"
    finally:
        http.session.close()
    client = twilio_client_for(None, ACCOUNT, TOKEN)
    assert not isinstance(client.http_client, ApiUrlHttpClient)
