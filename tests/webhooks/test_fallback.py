"""With PostgreSQL and Redis both unreachable, callers and texters still get valid bilingual TwiML, and what
they sent is spooled and taken into the database once it is back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import call_params, closed_port_urls, settings_for, sms_params, twilio_post
from tipline import create_app
from tipline.cases.models import Case
from tipline.contacts.models import Contact, Event
from tipline.contacts.optouts import is_opted_out
from tipline.media.models import MediaItem
from tipline.outbox.models import OutboundMessage
from tipline.runtime import runtime
from tipline.spool_ingest import ingest_spool


@pytest.fixture
def down_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(settings_for(tmp_path, **closed_port_urls(), fallback_number="+15145550150"))
    yield app
    runtime(app).db.dispose()


def verbs(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return [element.tag for element in root]


def test_voice_fallback_dials_the_staffed_number_with_the_database_down(down_app: Flask) -> None:
    response = twilio_post(down_app.test_client(), "/twilio/voice/fallback", call_params(ErrorCode="11200"))
    assert response.status_code == 200
    assert verbs(response.data) == ["Say", "Say", "Say", "Say", "Dial"]
    root = ET.fromstring(response.data)
    assert [say.get("language") for say in root.findall("Say")] == ["fr-CA", "en-CA", "fr-CA", "en-CA"]
    assert root.find("Dial").text == "+15145550150"  # type: ignore[union-attr]


def test_voice_fallback_without_a_number_takes_a_message(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, **closed_port_urls()))
    response = twilio_post(app.test_client(), "/twilio/voice/fallback", call_params())
    assert verbs(response.data) == ["Say", "Say", "Say", "Say", "Record", "Say", "Say", "Hangup"]
    recorded = twilio_post(
        app.test_client(),
        "/twilio/voice/fallback?step=recorded",
        call_params(RecordingUrl="https://api.twilio.com/rec/RE1", RecordingSid="RE" + "1" * 32),
    )
    assert verbs(recorded.data) == ["Say", "Say", "Hangup"]
    runtime(app).db.dispose()


def test_an_unanswered_fallback_dial_goes_to_voicemail_and_an_answered_one_ends(down_app: Flask) -> None:
    client = down_app.test_client()
    no_answer = twilio_post(client, "/twilio/voice/fallback?step=dialled", call_params(DialCallStatus="no-answer"))
    assert "Record" in verbs(no_answer.data)
    answered = twilio_post(client, "/twilio/voice/fallback?step=dialled", call_params(DialCallStatus="completed"))
    assert verbs(answered.data) == ["Hangup"]


def test_the_main_voice_route_still_reaches_a_human_with_the_database_down(down_app: Flask) -> None:
    response = twilio_post(down_app.test_client(), "/twilio/voice", call_params())
    assert response.status_code == 200
    assert "Dial" in verbs(response.data)


def test_sms_fallback_acknowledges_in_both_languages_with_the_911_advice(down_app: Flask) -> None:
    response = twilio_post(down_app.test_client(), "/twilio/sms/fallback", sms_params(body="aidez moi"))
    root = ET.fromstring(response.data)
    text = root.find("Message").text or ""  # type: ignore[union-attr]
    assert "9-1-1" in text
    assert "Message reçu" in text
    assert "Message received" in text


def test_the_main_sms_route_answers_and_spools_with_the_database_down(down_app: Flask) -> None:
    response = twilio_post(down_app.test_client(), "/twilio/sms", sms_params(body="aidez moi"))
    assert response.status_code == 200
    assert len(list(runtime(down_app).spool.pending())) == 1


def test_spooled_records_are_encrypted_and_taken_in_once_the_database_is_back(
    tmp_path: Path, database_url: str, app: Flask
) -> None:
    down = create_app(settings_for(tmp_path, **closed_port_urls()))
    client = down.test_client()
    twilio_post(client, "/twilio/sms/fallback", sms_params(body="jai 15 ans il me laisse pas partir"))
    twilio_post(client, "/twilio/sms/fallback", sms_params("SM" + "9" * 32, body="ARRÊT", From="+15145550177"))
    twilio_post(client, "/twilio/voice/fallback", call_params())
    recording = call_params(RecordingUrl="https://api.twilio.com/rec/RE" + "1" * 32, RecordingSid="RE" + "1" * 32)
    twilio_post(client, "/twilio/voice/fallback?step=recorded", recording)
    spool_dir = runtime(down).spool.directory
    files = list(spool_dir.glob("*.rec"))
    assert len(files) == 4
    for file in files:
        raw = file.read_bytes()
        assert b"partir" not in raw
        assert b"5559876" not in raw
    runtime(down).db.dispose()

    back = create_app(settings_for(tmp_path, database_url=database_url))
    assert ingest_spool(back) == 4
    assert list(spool_dir.glob("*.rec")) == []
    rt = runtime(back)
    with rt.db.sessions() as session:
        text = session.scalars(select(Event).where(Event.kind == "sms.in")).first()
        assert text is not None and text.payload_enc is not None
        assert rt.cipher.decrypt_text(text.payload_enc) == "jai 15 ans il me laisse pas partir"
        texted = session.scalars(select(Case).join(Contact, Contact.case_id == Case.id)).all()
        assert [case.priority for case in texted if case.id == text.case_id] == ["P1"], "triaged like any text"
        voicemail = session.scalars(select(MediaItem)).one()
        message_case = session.get(Case, voicemail.case_id)
        assert message_case is not None and message_case.missed_at is not None, "the message tops the queue"
        assert is_opted_out(session, rt.cipher, "+15145550177"), "a STOP sent during the outage is kept"
        replies = session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "sms_flow")).all()
        to = {rt.cipher.decrypt_text(reply.to_enc) for reply in replies}
        assert "+15145559876" in to, "the flow's answer to the text goes now, by REST"
    rt.db.dispose()


def test_a_stop_word_gets_no_fallback_text_even_with_the_database_down(down_app: Flask) -> None:
    response = twilio_post(down_app.test_client(), "/twilio/sms/fallback", sms_params(body="Arrêt"))
    assert ET.fromstring(response.data).find("Message") is None


def test_an_unsigned_fallback_request_is_refused_even_with_the_database_down(down_app: Any) -> None:
    assert down_app.test_client().post("/twilio/voice/fallback", data=call_params()).status_code == 403


def test_a_number_that_said_stop_gets_no_fallback_text(app: Flask, client: Any) -> None:
    from tipline.contacts.optouts import set_opt_out

    rt = runtime(app)
    with rt.db.transaction() as session:
        set_opt_out(session, rt.cipher, "+15145559876", opted_out=True, source="keyword", now=rt.clock.now())
    response = twilio_post(client, "/twilio/sms/fallback", sms_params(body="allo"))
    assert response.status_code == 200
    assert ET.fromstring(response.data).find("Message") is None
    assert len(list(rt.spool.pending())) == 1, "what they sent is still kept"


def test_a_caller_on_hold_leaves_the_queue_when_the_line_fails_and_then_reaches_a_human(down_app: Flask) -> None:
    """Hold documents allow no <Dial>/<Record>: the safety net there is <Leave>; the <Enqueue> action that
    Twilio fetches next is a normal document, whose safety net dials the staffed number."""
    client = down_app.test_client()
    held = twilio_post(client, "/twilio/queue/wait?qc=1", call_params(QueuePosition="1", QueueTime="30"))
    assert verbs(held.data) == ["Leave"]
    pressed = twilio_post(client, "/twilio/queue/wait-key?qc=1", call_params(Digits="1"))
    assert verbs(pressed.data) == ["Leave"]
    connecting = twilio_post(client, "/twilio/queue/connecting?qc=1", call_params())
    assert set(verbs(connecting.data)) == {"Say"}
    after = twilio_post(client, "/twilio/queue/done?qc=1", call_params(QueueResult="leave"))
    assert "Dial" in verbs(after.data)


def test_a_status_callback_that_arrives_during_an_outage_is_replayed(
    tmp_path: Path, database_url: str, app: Flask
) -> None:
    from tipline.outbox.models import OutboundKind, OutboundMessage, OutboundState
    from tipline.outbox.services import queue_outbound

    back = create_app(settings_for(tmp_path, database_url=database_url))
    rt = runtime(back)
    with back.app_context(), rt.db.transaction() as session:
        message = queue_outbound(
            session, rt.cipher, kind=OutboundKind.SMS, purpose="alert", to="+15145550104", body="x", idempotency_key="k"
        )
        message.state = OutboundState.SENT
        message.twilio_sid = "SM" + "7" * 32
        outbox_id = message.id
    down = create_app(settings_for(tmp_path, **closed_port_urls()))
    params = sms_params("SM" + "7" * 32, MessageStatus="undelivered", ErrorCode="30003")
    answered = twilio_post(down.test_client(), f"/twilio/sms/status?outbox={outbox_id}", params)
    assert answered.status_code == 204
    runtime(down).db.dispose()
    assert ingest_spool(back) == 1
    with rt.db.sessions() as session:
        settled = session.get(OutboundMessage, outbox_id)
        assert settled is not None and (settled.state, settled.error_code) == (OutboundState.FAILED, "30003")
    rt.db.dispose()
