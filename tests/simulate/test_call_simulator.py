"""The call simulator against a throwaway IVR that checks Twilio signatures like the real app must."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator

from tipline.simulate.call import CallSimulator
from tipline.simulate.caller import (
    InteractiveCaller,
    Prompt,
    ScriptedCaller,
    ScriptError,
    ScriptExhausted,
    StepBudgetExceeded,
    interactive_token,
    parse_token,
)
from tipline.simulate.events import AppError, Dialled, Hungup, Posted, Queued, Recorded, Utterance
from tipline.simulate.transport import FlaskClientTransport, resolve

BASE = "https://line.example.org"
TOKEN = "test-auth-token"
CALLER = "+15145550199"
LINE = "+15145550100"


def twiml(body: str) -> Response:
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', mimetype="text/xml")


def make_app(token: str = TOKEN) -> Flask:
    app = Flask(__name__)
    app.config["statuses"] = []

    @app.before_request
    def check_signature() -> None:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(token).validate(request.url, request.form, signature):
            abort(403)

    @app.post("/twilio/voice")
    def voice() -> Response:
        return twiml(
            '<Say language="fr-CA" voice="Polly.Lea">Bonjour, ligne du service de police.</Say>'
            '<Gather numDigits="1" action="lang" timeout="4">'
            '<Say language="fr-CA" voice="Polly.Lea">Pour le français, faites le 1.</Say>'
            '<Say language="en-CA" voice="Polly.Joanna">For English, press 2.</Say>'
            "</Gather>"
            '<Say language="fr-CA" voice="Polly.Lea">Nous n’avons rien reçu.</Say>'
            "<Redirect>/twilio/voice</Redirect>"
        )

    @app.post("/twilio/lang")
    def lang() -> Response:
        assert request.form["Digits"] in ("1", "2")
        return twiml(
            '<Gather input="dtmf speech" numDigits="1" action="/menu" method="GET" language="fr-CA">'
            '<Say language="fr-CA">Dites danger, ou faites le 2 pour un message, le 3 pour attendre.</Say>'
            "</Gather><Hangup/>"
        )

    @app.get("/menu")
    def menu() -> Response:
        speech, digits = request.args.get("SpeechResult", ""), request.args.get("Digits", "")
        if "danger" in speech:
            return twiml(
                '<Dial action="/dial-done" timeout="20" callerId="+15145550100">'
                '<Number url="/whisper">+15145550111</Number></Dial>'
            )
        if digits == "2":
            return twiml(
                '<Record action="/recorded" maxLength="120" finishOnKey="#" '
                'recordingStatusCallback="/recording-status"/><Say language="fr-CA">Aucun message.</Say>'
            )
        if digits == "3":
            return twiml('<Enqueue waitUrl="/wait" action="/queue-done">fr-dispatch</Enqueue>')
        if digits == "4":
            return twiml("<Redirect>/broken</Redirect>")
        if digits == "5":
            return twiml("<Redirect>/plain</Redirect>")
        return twiml("<Hangup/>")

    @app.post("/dial-done")
    def dial_done() -> Response:
        return twiml(f'<Say language="fr-CA">DialCallStatus {request.form["DialCallStatus"]}</Say><Hangup/>')

    @app.post("/whisper")
    def whisper() -> Response:
        return twiml('<Gather numDigits="1" action="/whisper-accept"><Say>Press 1 to accept.</Say></Gather><Hangup/>')

    @app.post("/whisper-accept")
    def whisper_accept() -> Response:
        return twiml("") if request.form.get("Digits") == "1" else twiml("<Hangup/>")

    @app.post("/recorded")
    def recorded() -> Response:
        return twiml('<Say language="fr-CA">Merci.</Say><Hangup/>')

    @app.post("/recording-status")
    def recording_status() -> tuple[str, int]:
        app.config["statuses"].append(dict(request.form))
        return "", 204

    @app.post("/wait")
    def wait() -> Response:
        return twiml(
            f'<Gather numDigits="1" action="/wait-key"><Say>You are number '
            f"{request.form['QueuePosition']}. Press star to leave a message.</Say></Gather>"
        )

    @app.post("/wait-key")
    def wait_key() -> Response:
        return twiml("<Leave/>" if request.form.get("Digits") == "*" else "<Say>Still waiting.</Say>")

    @app.post("/queue-done")
    def queue_done() -> Response:
        return twiml(f"<Say>QueueResult {request.form['QueueResult']}</Say><Hangup/>")

    @app.post("/broken")
    def broken() -> tuple[str, int]:
        return "boom", 500

    @app.post("/plain")
    def plain() -> Response:
        return Response("not TwiML", mimetype="text/plain")

    @app.post("/twilio/voice/fallback")
    def fallback() -> Response:
        app.config["fallback"] = dict(request.form)
        return twiml('<Say language="fr-CA">Un instant, nous vous transférons.</Say><Hangup/>')

    @app.post("/twilio/voice/status")
    def status() -> tuple[str, int]:
        app.config["statuses"].append(dict(request.form))
        return "", 204

    @app.post("/reject")
    def reject() -> Response:
        return twiml('<Reject reason="busy"/>')

    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


def simulator(app: Flask, **options: Any) -> CallSimulator:
    transport = FlaskClientTransport(app.test_client())
    return CallSimulator(transport, BASE, TOKEN, CALLER, LINE, **options)


def test_digits_then_speech_reach_a_dial_that_nobody_answers(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "speech:je suis en danger", "dial:no-answer"])

    assert call.heard("fr-CA")[:2] == ["Bonjour, ligne du service de police.", "Pour le français, faites le 1."]
    assert "For English, press 2." in call.heard("en-CA")
    first = call.posts()[0]
    assert first.url == f"{BASE}/twilio/voice"
    assert first.param("CallStatus") == "ringing" and first.param("Direction") == "inbound"
    assert first.param("CallSid") == call.call_sid and len(call.call_sid) == 34
    assert first.param("FromCity") == "MONTREAL" and first.param("ApiVersion") == "2010-04-01"
    lang = call.posts("/lang")[0]
    assert lang.url == f"{BASE}/twilio/lang"  # relative action resolved against the document URL
    assert (lang.param("Digits"), lang.param("CallStatus")) == ("1", "in-progress")
    menu = call.posts("/menu")[0]
    assert menu.method == "GET" and "SpeechResult=je+suis+en+danger" in menu.url and menu.status == 200
    dialled = next(e for e in call.transcript if isinstance(e, Dialled))
    assert (dialled.targets, dialled.status) == (("+15145550111",), "no-answer")
    assert call.posts("/dial-done")[0].param("DialCallStatus") == "no-answer"
    assert call.heard()[-1] == "DialCallStatus no-answer"
    assert call.ended == Hungup("application", "<Hangup>", "completed", call.ended.duration if call.ended else 0)
    status = app.config["statuses"][-1]
    assert status["CallStatus"] == "completed" and int(status["CallDuration"]) > 0


def test_silence_falls_through_to_the_next_verb_then_the_caller_hangs_up(app: Flask) -> None:
    call = simulator(app)
    call.run([None, "hangup"])

    assert "Nous n’avons rien reçu." in call.heard()
    assert [post.url for post in call.posts()[:2]] == [f"{BASE}/twilio/voice"] * 2  # <Redirect> followed
    assert call.ended is not None and call.ended.by == "caller"
    assert app.config["statuses"][-1]["CallStatus"] == "completed"


def test_a_looping_ivr_exhausts_the_step_budget(app: Flask) -> None:
    with pytest.raises(StepBudgetExceeded):
        simulator(app, max_steps=40).run([None] * 100)


def test_the_script_running_out_fails_loudly(app: Flask) -> None:
    with pytest.raises(ScriptExhausted, match="gather"):
        simulator(app).run(["1"])


def test_record_then_hang_up_still_posts_the_action_and_the_recording_status(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "2", "record:42:hangup"])

    recorded = next(e for e in call.transcript if isinstance(e, Recorded))
    assert recorded.duration == 42 and recorded.sid.startswith("RE")
    action = call.posts("/recorded")[0]
    assert action.param("Digits") == "hangup" and action.param("CallStatus") == "completed"
    assert action.param("RecordingUrl") == recorded.url and recorded.url.startswith("https://api.twilio.com/")
    assert "Merci." not in call.heard()  # the caller is gone: Twilio ignores the answer
    assert app.config["statuses"][0]["RecordingStatus"] == "completed"
    assert app.config["statuses"][0]["RecordingSid"] == recorded.sid
    assert call.ended is not None and call.ended.by == "caller"


def test_record_with_finish_key_continues_with_the_action_document(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "2", "record:200:#"])
    action = call.posts("/recorded")[0]
    assert (action.param("Digits"), action.param("RecordingDuration")) == ("#", "120")  # maxLength
    assert call.heard()[-1] == "Merci."


def test_record_with_no_audio_falls_through(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "2", None])
    assert not call.posts("/recorded")
    assert call.heard()[-1] == "Aucun message."


def test_record_rejects_a_key_that_does_not_finish_it(app: Flask) -> None:
    with pytest.raises(ScriptError):
        simulator(app).run(["1", "2", "record:5:*"])


def test_dial_answered_after_the_called_party_accepts_the_whisper(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "speech:danger", "dial:completed:90", "1"])

    whisper = call.posts("/whisper")[0]
    assert whisper.param("ParentCallSid") == call.call_sid and whisper.param("Direction") == "outbound-dial"
    assert [u.text for u in call.utterances("callee")] == ["Press 1 to accept."]
    done = call.posts("/dial-done")[0]
    assert (done.param("DialCallStatus"), done.param("DialCallDuration"), done.param("DialBridged")) == (
        "completed",
        "90",
        "true",
    )


def test_dial_whisper_declined(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "speech:danger", "dial:completed:90", None])
    done = call.posts("/dial-done")[0]
    assert (done.param("DialCallStatus"), done.param("DialBridged")) == ("completed", "false")


def test_enqueue_then_leave_posts_the_queue_result(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "3", None, "queue:wait:30", "*"])

    waits = call.posts("/wait")
    assert waits[0].param("QueueTime") == "0" and int(waits[1].param("QueueTime") or 0) >= 30
    assert waits[0].param("QueueSid") == waits[1].param("QueueSid")
    assert waits[0].param("CurrentQueueSize") == "1"
    assert call.posts("/wait-key")[0].param("Digits") == "*"
    queued = next(e for e in call.transcript if isinstance(e, Queued))
    assert (queued.name, queued.result) == ("fr-dispatch", "leave")
    assert call.posts("/queue-done")[0].param("QueueResult") == "leave"
    assert call.heard()[-1] == "QueueResult leave"


def test_enqueue_bridged_then_the_caller_hangs_up(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "3", None, "queue:bridged:120:hangup"])
    done = call.posts("/queue-done")[0]
    assert done.param("QueueResult") == "bridged" and done.param("DequeingCallSid") is not None
    assert call.ended is not None and call.ended.by == "caller" and call.ended.duration >= 120


def test_an_application_error_goes_to_the_fallback_url(app: Flask) -> None:
    call = simulator(app, fallback_url="/twilio/voice/fallback")
    call.run(["1", "4"])

    error = next(e for e in call.transcript if isinstance(e, AppError))
    assert (error.url, error.code) == (f"{BASE}/broken", 11200)
    assert app.config["fallback"]["ErrorCode"] == "11200"
    assert app.config["fallback"]["ErrorUrl"] == f"{BASE}/broken"
    assert call.heard()[-1] == "Un instant, nous vous transférons."


def test_a_non_twiml_answer_without_fallback_ends_the_call(app: Flask) -> None:
    call = simulator(app)
    call.run(["1", "5"])
    error = next(e for e in call.transcript if isinstance(e, AppError))
    assert error.code == 12300
    assert call.ended is not None and call.ended.by == "error"


def test_a_bad_signature_is_an_application_error(app: Flask) -> None:
    call = CallSimulator(FlaskClientTransport(app.test_client()), BASE, "wrong-token", CALLER, LINE)
    call.run([])
    assert call.posts()[0].status == 403
    assert call.ended is not None and call.ended.by == "error"


def test_reject_ends_the_call_busy(app: Flask) -> None:
    call = simulator(app, voice_url="/reject")
    call.run([])
    assert call.ended is not None and call.ended.status == "busy"
    assert app.config["statuses"][-1]["CallStatus"] == "busy"


def test_the_caller_can_hang_up_in_the_middle_of_a_prompt(app: Flask) -> None:
    call = simulator(app)
    call.run(ScriptedCaller([], hang_up_on_hearing="Bonjour"))
    assert call.heard() == ["Bonjour, ligne du service de police."]
    assert call.ended is not None and call.ended.by == "caller"
    assert app.config["statuses"][-1]["CallStatus"] == "completed"


def test_output_receives_every_event(app: Flask) -> None:
    seen: list[object] = []
    simulator(app, output=seen.append).run(["hangup"])
    assert isinstance(seen[0], Posted) and isinstance(seen[1], Utterance)
    assert str(seen[1]) == "[fr-CA Polly.Lea] Bonjour, ligne du service de police."


def test_relative_urls_resolve_like_twilio() -> None:
    assert resolve("https://x.org/a/b?q=1", "c") == "https://x.org/a/c"
    assert resolve("https://x.org/a/b", "/c") == "https://x.org/c"
    assert resolve("https://x.org/a/b", "https://y.org/d") == "https://y.org/d"


def test_tokens_must_fit_the_prompt() -> None:
    with pytest.raises(ScriptError):
        parse_token(Prompt("gather"), "record:10")
    with pytest.raises(ScriptError):
        parse_token(Prompt("dial"), "1")


def test_interactive_commands_become_tokens() -> None:
    gather, record = Prompt("gather"), Prompt("record")
    assert interactive_token(gather, '"je suis en danger"') == "speech:je suis en danger"
    assert interactive_token(gather, "s: help") == "speech:help"
    assert interactive_token(gather, "") is None
    assert interactive_token(record, "r 10") == "record:10"
    assert interactive_token(record, "r 10 h") == "record:10:hangup"
    assert interactive_token(Prompt("dial"), "a 45") == "dial:completed:45"
    assert interactive_token(Prompt("queue"), "h") == "hangup"
    lines = iter(["r nonsense", "12#"])
    written: list[str] = []
    caller = InteractiveCaller(read=lambda _prompt: next(lines), write=written.append)
    assert caller.respond(gather) == "12#"  # the first line was re-asked
    assert any("?" in line for line in written)


def test_recordings_point_at_the_fake_rest_api(app: Flask) -> None:
    from tipline.simulate.fake_twilio_api import FakeTwilioApi
    from tipline.simulate.params import DEMO_TWILIO_ACCOUNT_SID

    with FakeTwilioApi(DEMO_TWILIO_ACCOUNT_SID, TOKEN) as api:
        call = simulator(app, recordings=api)
        call.run(["1", "2", "record:12:#"])
        recorded = next(e for e in call.transcript if isinstance(e, Recorded))
        assert recorded.url.startswith(f"{api.base_url}/2010-04-01/Accounts/{DEMO_TWILIO_ACCOUNT_SID}/Recordings/RE")
        fetched = api.client().recordings(recorded.sid).fetch()
        assert (fetched.call_sid, fetched.duration) == (call.call_sid, "12")


def test_terminal_call(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from click.testing import CliRunner
    from werkzeug.serving import make_server

    from tipline.simulate.cli import simulate
    from tipline.simulate.params import DEMO_TWILIO_AUTH_TOKEN

    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    server = make_server("127.0.0.1", 0, make_app(DEMO_TWILIO_AUTH_TOKEN), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        result = CliRunner().invoke(simulate, ["call", "--url", url, "--lang", "fr"], input="1\n2\nr 30 #\n")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "[fr-CA Polly.Lea] Bonjour, ligne du service de police." in result.output
    assert "(hint: press 1 for français)" in result.output
    assert "[fr-CA] Merci." in result.output
    assert "call ended (application: <Hangup>)" in result.output


def test_extra_keys_beyond_num_digits_are_not_submitted(app: Flask) -> None:
    call = simulator(app)
    call.run(["21", "hangup"])
    assert call.posts("/lang")[0].param("Digits") == "2"
