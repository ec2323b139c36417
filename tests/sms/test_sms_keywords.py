"""Keywords in both languages (whole message, any case, accents or not, spaces), and STOP kept forever."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import auth, make_person, make_token
from tests.support import sms_params, twilio_post
from tipline.cases.models import Case
from tipline.contacts.models import Contact, Event, SmsOptOut
from tipline.contacts.optouts import is_opted_out
from tipline.flows import Script, load_script, sms_segments
from tipline.flows.catalog import SMS_SENSITIVE_WORDS
from tipline.flows.speech import words
from tipline.ivr.scripts import scripts
from tipline.roster.models import Role
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.sms.keywords import match_keyword
from workers.jobs import run_due_jobs

from .conftest import TEXTER, Phone

HELP = [("AIDE", "fr"), ("aide", "fr"), (" Aide! ", "fr"), ("HELP", "en"), ("help", "en"), ("Help.", "en")]
STOP = ["STOP", "stop", " Stop ", "ARRET", "ARRÊT", "arrêt", "Arret.", "UNSUBSCRIBE", "stopall", "Cancel", "QUIT"]
START = ["START", "start", "DEBUT", "DÉBUT", "début", "Unstop"]
URGENT = ["URGENT", "urgent", "Urgence", "DANGER", "danger!", "911", "9-1-1", "9 1 1", "EMERGENCY"]
NOT_KEYWORDS = ["stop calling me", "aide moi", "help me please", "911 now", "pas de danger", "arrête"]


def opted_out(app: Flask) -> bool:
    rt = runtime(app)
    with rt.db.sessions() as session:
        return is_opted_out(session, rt.cipher, TEXTER)


@pytest.fixture(scope="module")
def sms_script() -> Script:
    return load_script(Path(__file__).resolve().parents[2] / "ivr_scripts" / "sms.yaml")


@pytest.mark.parametrize(
    ("body", "expected"),
    [(w, "help") for w, _ in HELP]
    + [(w, "stop") for w in STOP]
    + [(w, "start") for w in START]
    + [(w, "urgent") for w in URGENT]
    + [(w, None) for w in NOT_KEYWORDS],
)
def test_keyword_matrix(sms_script: Script, body: str, expected: str | None) -> None:
    found = match_keyword(sms_script, body)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(("body", "lang"), [("AIDE", "fr"), (" Aide! ", "fr"), ("help", "en"), ("INFO", "fr")])
def test_help_is_short_and_in_the_keyword_language(app: Flask, phone: Phone, body: str, lang: str) -> None:
    (reply,) = phone().send(body)
    assert len(reply) <= 160 and "9-1-1" in reply
    assert reply.startswith("Ligne d'aide" if lang == "fr" else "Confidential helpline")
    assert not set(SMS_SENSITIVE_WORDS) & set(words(reply))


def test_help_in_an_english_conversation_without_a_language_of_its_own(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("hello")
    assert texter.send("info")[0].startswith("Confidential helpline")


def test_keyword_replies_are_short_and_neutral(app: Flask) -> None:
    with app.app_context():
        texts = scripts().sms.defaults.vars
    for name in ("help_text", "stop_text", "start_text", "urgent_text"):
        for lang in ("fr", "en"):
            text = texts[name][lang]
            assert len(text) <= (160 if name == "help_text" else 320), (name, lang)
            assert sms_segments(text) <= 3
            assert not set(SMS_SENSITIVE_WORDS) & set(words(text)), (name, lang)


@pytest.mark.parametrize("body", ["STOP", "Arrêt", " unsubscribe "])
def test_stop_is_recorded_and_confirmed_once(app: Flask, phone: Phone, body: str) -> None:
    texter = phone()
    (confirmation,) = texter.send(body)
    assert "DEBUT" in confirmation or "START" in confirmation
    assert opted_out(app)
    assert texter.send(body) == []  # once
    assert texter.send("allo?") == []


def test_stop_answers_in_the_conversation_language(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("hello")
    assert texter.send("ARRET")[0].startswith("Done: you will not receive")


def test_after_stop_nothing_is_sent_until_start(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi
) -> None:
    texter = twilio_phone()
    texter.send("jai 15 ans il me laisse pas partir")
    texter.send("STOP")
    # Neither a TwiML reply…
    answer = twilio_post(twilio_app.test_client(), "/twilio/sms", sms_params("SM" + "c" * 32, "allo", From=TEXTER))
    assert answer.status_code == 200 and b"<Message" not in answer.data and b"<Response" in answer.data
    assert texter.send("HELP") == [] and texter.send("1") == []
    # …nor a dispatcher's reply through the API.
    person = make_person(twilio_app, name="Marie", role=Role.DISPATCHER, languages=("fr",), phone="+15145550102")
    client = twilio_app.test_client()
    with runtime(twilio_app).db.sessions() as session:
        case_id = session.scalars(select(Case.id)).one()
    refused = client.post(
        f"/api/v1/cases/{case_id}/messages", json={"body": "Bonjour"}, headers=auth(make_token(twilio_app, person))
    )
    assert refused.status_code == 409 and refused.json is not None
    assert refused.json["error"] == "opted_out" and "START" in refused.json["message"]
    run_due_jobs(twilio_app)
    assert fake_twilio.messages == []
    # START (or DÉBUT) lets the line answer again.
    (welcome_back,) = texter.send("début")
    assert welcome_back.startswith("C'est noté : vous pouvez de nouveau")
    assert not opted_out(twilio_app)
    accepted = client.post(
        f"/api/v1/cases/{case_id}/messages", json={"body": "Bonjour"}, headers=auth(make_token(twilio_app, person))
    )
    assert accepted.status_code == 202


def test_twilio_answered_stop_itself_and_the_line_agrees_silently(app: Flask) -> None:
    client = app.test_client()
    answer = twilio_post(client, "/twilio/sms", sms_params(body="Cancel", OptOutType="STOP"))
    assert b"<Message" not in answer.data
    assert opted_out(app)
    again = twilio_post(client, "/twilio/sms", sms_params("SM" + "d" * 32, body="YES", OptOutType="START"))
    assert b"<Message" not in again.data
    assert not opted_out(app)
    with runtime(app).db.sessions() as session:
        row = session.scalars(select(SmsOptOut)).one()
        assert row.source == "twilio"


@pytest.mark.parametrize("body", ["URGENT", "danger", "911", "Urgence"])
def test_urgent_takes_the_crisis_path_at_once(app: Flask, phone: Phone, body: str) -> None:
    texter = phone()
    (reply,) = texter.send(body)
    assert "9-1-1" in reply
    with runtime(app).db.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.priority == "P1" and "immediate_danger" in case.categories
        contact = session.scalars(select(Contact)).one()
        assert contact.case_id == case.id
        assert session.scalars(select(Event).where(Event.kind == "sms.urgent")).one()
    assert texter.send("il est dans le couloir") == []  # now a person's conversation


def test_urgent_in_the_middle_of_a_tip(app: Flask, phone: Phone) -> None:
    texter = phone()
    for body in ("hello", "2", "1", "something is going on"):
        texter.send(body)
    (reply,) = texter.send("EMERGENCY")
    assert reply.startswith("Your message now comes first")
    with runtime(app).db.sessions() as session:
        assert session.scalars(select(Case)).one().priority == "P1"


def test_urgent_after_stop_still_raises_the_case_but_sends_nothing(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("STOP")
    assert texter.send("URGENT") == []
    with runtime(app).db.sessions() as session:
        assert session.scalars(select(Case)).one().priority == "P1"
