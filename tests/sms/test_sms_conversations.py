"""Whole text conversations through signed webhooks, read back as the MessagingResponse Twilio would get."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from tipline.cases.models import Case, CaseChange
from tipline.clock import ManualClock
from tipline.contacts.models import Contact, ContactStatus, Event
from tipline.flows.catalog import SMS_SENSITIVE_WORDS
from tipline.flows.speech import words
from tipline.outbox.models import OutboundMessage
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from workers.jobs import run_due_jobs

from .conftest import TEXTER, Phone

JOURNEY_3 = "jai 15 ans il me laisse pas partir"


def neutral(text: str) -> bool:
    return not set(SMS_SENSITIVE_WORDS) & set(words(text))


def cases(app: Flask) -> list[Case]:
    with runtime(app).db.sessions() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


def contacts(app: Flask) -> list[Contact]:
    with runtime(app).db.sessions() as session:
        return list(session.scalars(select(Contact).order_by(Contact.id)))


def events(app: Flask, kind: str) -> list[Event]:
    with runtime(app).db.sessions() as session:
        return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def test_journey_3_a_minor_held_gets_a_neutral_french_reply_and_a_p1_case(app: Flask, phone: Phone) -> None:
    (reply,) = phone().send(JOURNEY_3)
    assert reply.startswith("Bonjour") and "9-1-1" in reply
    assert neutral(reply), "the first reply must not name the topic"
    (case,) = cases(app)
    assert case.priority == "P1"
    assert {"minor_involved", "coercive_procuring"} <= set(case.categories)
    rules = {reason["rule_id"] for reason in case.triage_reasons["reasons"]}
    assert "age.minor" in rules and "coercion_words" in rules
    with runtime(app).db.sessions() as session:
        change = session.scalars(select(CaseChange).where(CaseChange.field == "priority")).one()
        assert change.new_value == "P1" and change.details["reasons"]
    (contact,) = contacts(app)
    assert contact.language == "fr" and contact.case_id == case.id
    (inbound,) = events(app, "sms.in")
    assert inbound.case_id == case.id and inbound.payload_enc is not None
    assert JOURNEY_3.encode() not in inbound.payload_enc and JOURNEY_3 not in str(inbound.data)
    assert runtime(app).cipher.decrypt_text(inbound.payload_enc) == JOURNEY_3
    assert contact.caller_number_enc is not None and TEXTER.encode() not in contact.caller_number_enc


def test_a_french_tip_over_several_texts_ends_with_a_reference_and_pin(app: Flask, phone: Phone) -> None:
    texter = phone()
    assert texter.send("Bonjour")[0].startswith("Bonjour")
    assert "anonyme" in texter.send("2")[0]
    assert "FIN" in texter.send("1")[0]
    assert texter.send("Un salon de massage près de l'école, rue Principale.") == [
        "Bien reçu. Continuez, ou écrivez FIN quand vous avez terminé."
    ]
    assert texter.send("Des jeunes entrent le soir 😟") == []
    (done,) = texter.send("FIN")
    (case,) = cases(app)
    assert f"Numéro de suivi : {case.reference}" in done and re.search(r"NIP : \d{4}", done)
    assert case.pin_hash is not None and neutral(done)
    (contact,) = contacts(app)
    # Anonymous: the number was kept only to answer; it is gone once the tip is saved.
    assert contact.anonymous and contact.caller_number_enc is None and contact.caller_hash is None
    assert contact.status == ContactStatus.CLOSED
    tip = events(app, "case.tip_text")[0]
    assert tip.payload_enc is not None
    assert "Des jeunes entrent le soir 😟" in runtime(app).cipher.decrypt_text(tip.payload_enc)


def test_an_english_tip_left_unfinished_is_saved_when_the_texter_goes_quiet(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    texter = twilio_phone()
    assert texter.send("hello")[0].startswith("Hello")
    texter.send("2")
    assert "DONE" in texter.send("no")[0]
    texter.send("A car parks every night behind the massage place on Main street")
    clock.advance(timedelta(minutes=9))
    run_due_jobs(twilio_app)
    assert fake_twilio.messages == []
    clock.advance(timedelta(minutes=2))
    run_due_jobs(twilio_app)
    (sent,) = fake_twilio.messages
    (case,) = cases(twilio_app)
    assert sent["to"] == TEXTER and f"Reference number: {case.reference}" in sent["body"]
    (contact,) = contacts(twilio_app)
    assert not contact.anonymous and contact.caller_number_enc is not None


def test_a_new_text_resets_the_idle_wait(app: Flask, phone: Phone, clock: ManualClock) -> None:
    texter = phone()
    for body in ("allo", "2", "1", "première partie"):
        texter.send(body)
    clock.advance(timedelta(minutes=8))
    texter.send("deuxième partie")
    clock.advance(timedelta(minutes=3))
    run_due_jobs(app)
    assert not events(app, "case.tip")  # the first wait is stale
    clock.advance(timedelta(minutes=8))
    run_due_jobs(app)
    assert len(events(app, "case.tip")) == 1


def test_french_and_english_switch_at_any_time(app: Flask, phone: Phone) -> None:
    texter = phone()
    assert texter.send("allo")[0].startswith("Bonjour")
    assert texter.send("EN")[0].startswith("Hello")
    assert texter.send("2")[0].startswith("Do you want to stay anonymous")
    assert texter.send("français")[0].startswith("Voulez-vous rester anonyme")
    (contact,) = contacts(app)
    assert contact.language == "fr"


def test_an_english_first_text_is_answered_in_english(app: Flask, phone: Phone) -> None:
    (reply,) = phone().send("hi, im 16 and my boyfriend wont let me leave")
    assert reply.startswith("Hello") and neutral(reply)
    (case,) = cases(app)
    assert case.language == "en" and "minor_involved" in case.categories


def test_after_the_hand_off_texts_go_to_the_case_and_are_triaged(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("allo")
    (handoff,) = texter.send("1")
    assert "personne de notre équipe" in handoff
    (case,) = cases(app)
    assert case.priority == "P3"
    assert texter.send("il a pris mon passeport et je dois payer une dette") == []
    assert texter.send("j'ai peur") == []
    (case,) = cases(app)
    assert case.priority == "P1" and "human_trafficking" in case.categories, "passport kept, a debt, fear"
    assert all(event.case_id == case.id for event in events(app, "sms.in"))
    assert len(events(app, "sms.handoff")) == 1


def test_a_returning_texter_starts_a_new_conversation_on_the_same_open_case(
    app: Flask, phone: Phone, clock: ManualClock
) -> None:
    texter = phone()
    texter.send(JOURNEY_3)
    clock.advance(timedelta(hours=25))
    (reply,) = texter.send("allo cest encore moi")
    assert reply.startswith("Bonjour")
    first, second = contacts(app)
    assert first.status == ContactStatus.CLOSED and second.status == ContactStatus.ACTIVE
    (case,) = cases(app)
    assert second.case_id == case.id


def test_a_quiet_conversation_is_closed_by_its_job(app: Flask, phone: Phone, clock: ManualClock) -> None:
    phone().send("allo")
    clock.advance(timedelta(hours=12))
    phone().send("encore")
    clock.advance(timedelta(hours=13))
    run_due_jobs(app)
    assert contacts(app)[0].status == ContactStatus.ACTIVE  # 13 h since the last text: not yet
    clock.advance(timedelta(hours=12))
    run_due_jobs(app)
    assert contacts(app)[0].status == ContactStatus.CLOSED


def test_a_text_after_goodbye_starts_again(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("hello")
    texter.send("3")
    assert "write to us here" in texter.send("no")[0]
    assert texter.send("hi again")[0].startswith("Hello")


def test_nothing_is_queued_by_rest_during_a_conversation(app: Flask, phone: Phone) -> None:
    texter = phone()
    for body in ("allo", "3", "1"):
        texter.send(body)
    with runtime(app).db.sessions() as session:
        assert session.scalars(select(OutboundMessage)).all() == []
