"""The voice IVR walked as Twilio walks it: signed webhooks, then the TwiML we answered, verb by verb."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import make_person
from tests.support import TEST_AUTH_TOKEN
from tipline.cases.models import Case
from tipline.cases.references import is_well_formed
from tipline.clock import ManualClock
from tipline.contacts.models import Contact, Event
from tipline.media.models import MediaItem
from tipline.outbox.models import OutboundMessage
from tipline.roster.models import Role
from tipline.runtime import runtime
from tipline.simulate.call import CallSimulator
from tipline.simulate.events import Dialled
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport
from workers.jobs import run_due_jobs

CALLER = "+15145559876"
LINE = "+15145550100"
FRENCH_DISPATCHER = "+15145550102"
ENGLISH_DISPATCHER = "+15145550103"


@pytest.fixture
def roster(app: Flask, clock: ManualClock) -> None:
    start = clock.now() - timedelta(hours=1)
    make_person(app, name="Marie", role=Role.DISPATCHER, languages=("fr",), phone=FRENCH_DISPATCHER, on_duty_from=start)
    make_person(
        app, name="Jordan", role=Role.DISPATCHER, languages=("en",), phone=ENGLISH_DISPATCHER, on_duty_from=start
    )


def call(app: Flask, recordings: FakeTwilioApi | None = None) -> CallSimulator:
    return CallSimulator(
        FlaskClientTransport(app.test_client()),
        "http://localhost",
        TEST_AUTH_TOKEN,
        CALLER,
        LINE,
        recordings=recordings,
        fallback_url="/twilio/voice/fallback",
    )


def the_case(app: Flask) -> Case:
    with runtime(app).db.sessions() as session:
        return session.scalars(select(Case)).one()


def dialled(simulator: CallSimulator) -> list[Dialled]:
    return [event for event in simulator.transcript if isinstance(event, Dialled)]


def rang(fake: FakeTwilioApi) -> list[str]:
    """Whom the line called through Twilio's REST API (handlers offered a waiting caller)."""
    return [call["to"] for call in fake.calls]


def spoken_digits(text: str) -> str:
    return "".join(re.findall(r"\d", text))


def test_french_caller_in_danger_reaches_a_french_dispatcher_as_p1(
    twilio_app: Flask, roster: None, fake_twilio: FakeTwilioApi, waits_for_a_human: Any
) -> None:
    simulator = call(twilio_app)
    caller = waits_for_a_human(twilio_app, ["1", "speech:danger"])
    simulator.run(caller)
    first = simulator.heard()[0]
    assert "9-1-1" in first and "police" in first
    greeting_languages = [u.language for u in simulator.utterances()[:2]]
    assert greeting_languages[0] == "fr-CA", "French first"
    assert caller.queued
    assert rang(fake_twilio) == [FRENCH_DISPATCHER]
    assert all(u.language == "fr-CA" for u in simulator.utterances()[2:]), "French after choosing French"
    case = the_case(twilio_app)
    assert case.priority == "P1"
    assert "immediate_danger" in case.categories
    assert any(reason["rule_id"] == "choice.danger" for reason in case.triage_reasons["reasons"])
    assert simulator.ended is not None


def test_english_caller_worried_about_a_minor_reaches_an_english_dispatcher(
    twilio_app: Flask, roster: None, fake_twilio: FakeTwilioApi, waits_for_a_human: Any
) -> None:
    simulator = call(twilio_app)
    simulator.run(waits_for_a_human(twilio_app, ["2", "2"]))
    assert simulator.utterances()[-1].language == "en-US"
    assert rang(fake_twilio) == [ENGLISH_DISPATCHER]
    case = the_case(twilio_app)
    assert "minor_involved" in case.categories
    assert case.priority == "P2", "a minor, with no danger or coercion said: P2"


def test_anonymous_english_tip_reads_back_a_reference_twice_and_a_pin(
    twilio_app: Flask, fake_twilio: FakeTwilioApi
) -> None:
    simulator = call(twilio_app, recordings=fake_twilio)
    simulator.run(["2", "3", "1", "record:40:#", "2"])
    readback = next(text for text in simulator.heard() if "reference number" in text)
    case = the_case(twilio_app)
    assert is_well_formed(case.reference)
    assert spoken_digits(readback).startswith(case.reference * 2)
    with runtime(twilio_app).db.sessions() as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.anonymous
        assert contact.caller_number_enc is None and contact.caller_hash is None
        media = session.scalars(select(MediaItem)).one()
        assert media.case_id == case.id
    assert simulator.ended is not None


def test_a_witness_calls_back_a_week_later_and_adds_information(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    first = call(twilio_app, recordings=fake_twilio)
    first.run(["2", "3", "1", "record:30:#", "2"])
    readback = next(text for text in first.heard() if "PIN" in text)
    digits = spoken_digits(readback)
    reference, pin = digits[:8], digits[16:20]
    clock.advance(timedelta(days=7))
    again = call(twilio_app, recordings=fake_twilio)
    again.run(["2", "4", f"{reference}#", f"{pin}#", "1", "record:20:#"])
    with runtime(twilio_app).db.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.reference == reference
        kinds = [event.kind for event in session.scalars(select(Event).where(Event.case_id == case.id))]
        assert "case.followup" in kinds and "case.followup_added" in kinds
        assert len(session.scalars(select(MediaItem).where(MediaItem.case_id == case.id)).all()) == 2


def test_wrong_pins_end_the_attempt_then_lock_the_code_even_for_the_right_pin(
    twilio_app: Flask, fake_twilio: FakeTwilioApi
) -> None:
    first = call(twilio_app, recordings=fake_twilio)
    first.run(["1", "3", "2", "record:30:#", "2"])
    digits = spoken_digits(next(text for text in first.heard() if "NIP" in text))
    reference, pin = digits[:8], digits[16:20]
    wrong = "0000" if pin != "0000" else "1111"
    three_tries = [f"{reference}#", f"{wrong}#"] * 3
    per_call = call(twilio_app)
    per_call.run(["1", "4", *three_tries, "hangup"])
    assert sum("ne correspond pas" in text for text in per_call.heard()) == 2
    two_more = call(twilio_app)
    two_more.run(["1", "4", f"{reference}#", f"{wrong}#", f"{reference}#", f"{wrong}#", "hangup"])
    assert any("bloqué" in text for text in two_more.heard()), "five wrong PINs lock the code"
    right_pin = call(twilio_app)
    right_pin.run(["1", "4", f"{reference}#", f"{pin}#", "hangup"])
    assert any("bloqué" in text for text in right_pin.heard()), "locked even with the right PIN"


def test_no_input_at_all_goes_to_a_human_not_a_hang_up(
    twilio_app: Flask, roster: None, fake_twilio: FakeTwilioApi, waits_for_a_human: Any
) -> None:
    simulator = call(twilio_app)
    simulator.run(waits_for_a_human(twilio_app, [None, None, None, None, None]))
    assert rang(fake_twilio) == [FRENCH_DISPATCHER], "a silent caller is put through to a person, in French"


def test_junk_digits_re_prompt_then_reach_a_human(
    twilio_app: Flask, roster: None, fake_twilio: FakeTwilioApi, waits_for_a_human: Any
) -> None:
    simulator = call(twilio_app)
    simulator.run(waits_for_a_human(twilio_app, ["1", "7", "8", "6"]))
    assert rang(fake_twilio) == [FRENCH_DISPATCHER]


def test_nobody_on_duty_the_caller_leaves_a_message_that_becomes_a_case(
    twilio_app: Flask, fake_twilio: FakeTwilioApi
) -> None:
    simulator = call(twilio_app, recordings=fake_twilio)
    simulator.run(["1", "1", "record:25:#", "2"])
    assert not dialled(simulator)
    assert rang(fake_twilio) == []
    assert any("message" in text for text in simulator.heard())
    case = the_case(twilio_app)
    assert case.priority == "P1"
    with runtime(twilio_app).db.sessions() as session:
        assert session.scalars(select(MediaItem).where(MediaItem.case_id == case.id)).one()


def test_resources_are_texted_only_after_consent(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    declined = call(twilio_app)
    declined.run(["1", "5", "2", "hangup"])
    with runtime(twilio_app).db.sessions() as session:
        assert session.scalars(select(OutboundMessage)).all() == []
    heard = " ".join(declined.heard())
    assert "1. 8, 3, 3. 9, 0, 0. 1, 0, 1, 0" in heard, "the non-police national hotline, digit by digit"
    assert "peut être vu par d'autres" in heard, "the warning comes before any text is offered"

    agreed = call(twilio_app)
    agreed.run(["1", "5", "1", "hangup"])
    run_due_jobs(twilio_app)
    sent = fake_twilio.requests_to("Messages", "POST")
    assert [request.param("To") for request in sent] == [CALLER]
    body = (sent[0].param("Body") or "").lower()
    assert "833" in body
    assert "police" not in body and "exploitation" not in body and "traite" not in body


def test_hanging_up_during_a_tip_recording_keeps_the_partial_recording(
    twilio_app: Flask, fake_twilio: FakeTwilioApi
) -> None:
    simulator = call(twilio_app, recordings=fake_twilio)
    simulator.run(["1", "3", "1", "record:12:hangup"])
    case = the_case(twilio_app)
    with runtime(twilio_app).db.sessions() as session:
        assert session.scalars(select(MediaItem).where(MediaItem.case_id == case.id)).one()
        contact = session.scalars(select(Contact)).one()
        assert contact.status == "closed"


def test_the_words_triage_matched_are_kept_only_encrypted(twilio_app: Flask) -> None:
    from tipline.cases.triage_service import case_reasons, retriage
    from tipline.ivr.scripts import scripts

    rt = runtime(twilio_app)
    with twilio_app.app_context(), rt.db.transaction() as session:
        from tipline.cases.services import open_case

        case = open_case(session, language="fr")
        retriage(session, case, scripts().triage, texts=["jai 15 ans il me laisse pas partir"])
        case_id = case.id
    with twilio_app.app_context(), rt.db.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert "15 ans" not in str(case.triage_reasons)
        assert case.triage_matched_enc is not None and b"15 ans" not in case.triage_matched_enc
        assert any("jai 15 ans" in reason["matched"] for reason in case_reasons(case, rt.cipher))


def test_a_request_out_of_sequence_still_reaches_a_person(twilio_app: Flask, roster: None) -> None:
    from tests.support import call_params, twilio_post

    client = twilio_app.test_client()
    twilio_post(client, "/twilio/voice", call_params())
    recording = call_params(RecordingUrl="https://api.twilio.com/x/Recordings/RE" + "2" * 32)
    stray = twilio_post(client, "/twilio/voice/step?seq=1&event=recording_done", recording)
    assert stray.status_code == 200
    assert b"<Enqueue" in stray.data, "a recording where none was asked for: the caller is put through to a person"
