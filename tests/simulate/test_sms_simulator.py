"""The SMS simulator and the request signing it shares with the call simulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server

from tipline.simulate.cli import simulate
from tipline.simulate.events import AppError
from tipline.simulate.params import count_segments
from tipline.simulate.signing import SIGNATURE_HEADER, signed_headers
from tipline.simulate.sms import SmsSimulator
from tipline.simulate.transport import FlaskClientTransport, HttpTransport

BASE = "https://line.example.org"
TOKEN = "test-auth-token"
TEXTER = "+15145550199"
LINE = "+15145550100"


def twiml(body: str) -> Response:
    return Response(f"<Response>{body}</Response>", mimetype="application/xml")


def make_app(token: str = TOKEN) -> Flask:
    app = Flask(__name__)
    app.config["received"] = []

    @app.before_request
    def check_signature() -> None:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not RequestValidator(token).validate(request.url, request.form, signature):
            abort(403)

    @app.post("/twilio/sms")
    def sms() -> Response | tuple[str, int]:
        app.config["received"].append(request.form.copy())
        body = request.form["Body"]
        if body == "redirect":
            return twiml("<Redirect>next?step=2</Redirect>")
        if body == "error":
            return "boom", 500
        if body == "silence":
            return "", 204
        return twiml(
            "<Message>Bonjour. Vous écrivez à la ligne du SPVM.</Message>"
            f'<Message to="+15145550111">Nouvelle conversation de {request.form["From"][-4:]}</Message>'
        )

    @app.post("/twilio/next")
    def following() -> Response:
        assert request.args["step"] == "2"
        return twiml("<Message><Body>Suite</Body><Media>https://example.org/a.png</Media></Message>")

    @app.post("/twilio/sms/fallback")
    def fallback() -> Response:
        return twiml(f"<Message>Désolé ({request.form['ErrorCode']})</Message>")

    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


def texter(app: Flask, messaging_service_sid: str | None = None, fallback_url: str | None = None) -> SmsSimulator:
    transport = FlaskClientTransport(app.test_client())
    return SmsSimulator(
        transport, BASE, TOKEN, TEXTER, LINE, messaging_service_sid=messaging_service_sid, fallback_url=fallback_url
    )


def test_a_text_gets_the_replies(app: Flask) -> None:
    sms = texter(app)
    assert sms.send("jai 15 ans il me laisse pas partir") == [
        "Bonjour. Vous écrivez à la ligne du SPVM.",
        "Nouvelle conversation de 0199",
    ]
    assert [reply.to for reply in sms.replies] == [TEXTER, "+15145550111"]
    form = app.config["received"][0]
    assert form["MessageSid"].startswith("SM") and form["SmsSid"] == form["MessageSid"]
    assert (form["From"], form["To"], form["NumMedia"], form["NumSegments"]) == (TEXTER, LINE, "0", "1")
    assert (form["FromCountry"], form["SmsStatus"], form["ApiVersion"]) == ("CA", "received", "2010-04-01")


def test_media_and_messaging_service_parameters(app: Flask) -> None:
    sms = texter(app, messaging_service_sid="MG" + "0" * 32)
    sms.send("photo", ["https://api.example.org/m/1", "https://api.example.org/m/2"], ["image/png"])
    form = app.config["received"][0]
    assert form["MessageSid"].startswith("MM") and form["NumMedia"] == "2"
    assert (form["MediaUrl0"], form["MediaContentType0"]) == ("https://api.example.org/m/1", "image/png")
    assert form["MediaContentType1"] == "image/jpeg"
    assert form["MessagingServiceSid"] == "MG" + "0" * 32


def test_redirect_is_followed(app: Flask) -> None:
    sms = texter(app)
    assert sms.send("redirect") == ["Suite"]
    assert sms.replies[0].media == ("https://example.org/a.png",)


def test_an_error_goes_to_the_fallback(app: Flask) -> None:
    sms = texter(app, fallback_url="/twilio/sms/fallback")
    assert sms.send("error") == ["Désolé (11200)"]
    assert any(isinstance(event, AppError) for event in sms.transcript)


def test_an_empty_answer_is_no_reply(app: Flask) -> None:
    assert texter(app).send("silence") == []


def test_signature_covers_repeated_keys() -> None:
    params = [("To", LINE), ("MediaUrl", "https://a/1"), ("MediaUrl", "https://a/2")]
    headers = signed_headers(TOKEN, f"{BASE}/x?y=1", params)
    validator = RequestValidator(TOKEN)
    assert validator.validate(f"{BASE}/x?y=1", MultiDict(params), headers[SIGNATURE_HEADER])
    assert not validator.validate(f"{BASE}/x?y=1", MultiDict(params[:2]), headers[SIGNATURE_HEADER])
    assert signed_headers(TOKEN, BASE, {"A": "1"}) == signed_headers(TOKEN, BASE, [("A", "1")])


def test_segments_follow_gsm_and_ucs2_limits() -> None:
    assert count_segments("é" * 160) == 1  # é is in GSM-7
    assert count_segments("a" * 161) == 2
    assert count_segments("ç" * 70) == 1  # ç is not: UCS-2
    assert count_segments("ç" * 71) == 2
    assert count_segments("[" * 80) == 1 and count_segments("[" * 81) == 2  # extension table: 2 septets


@pytest.fixture
def served() -> Iterator[str]:
    """The throwaway app on a real local port, for the terminal commands (they use real HTTP)."""
    server = make_server("127.0.0.1", 0, make_app("demo-auth-token-not-secret"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_terminal_sms_chat(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    result = CliRunner().invoke(simulate, ["sms", "--url", served], input="allo\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "line> Bonjour. Vous écrivez à la ligne du SPVM." in result.output
    assert "(to +15145550111)" in result.output


def test_http_transport_reports_errors_as_responses(served: str) -> None:
    response = HttpTransport().post(f"{served}/twilio/sms", [("Body", "x")], {})
    assert response.status == 403 and not response.ok
