"""Every branch of the default voice script, walked in French and in English as Twilio walks it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import make_person
from tests.support import TEST_AUTH_TOKEN
from tipline.clock import ManualClock
from tipline.contacts.models import Contact
from tipline.roster.models import Role
from tipline.runtime import runtime
from tipline.simulate.call import CallSimulator
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport

FRENCH_DISPATCHER = "+15145550102"
ENGLISH_DISPATCHER = "+15145550103"
LANGUAGES = {
    "fr": {
        "key": "1",
        "say": "fr-CA",
        "dispatcher": FRENCH_DISPATCHER,
        "you_said": "Vous avez dit",
        "bye": "Au revoir",
    },
    "en": {"key": "2", "say": "en-US", "dispatcher": ENGLISH_DISPATCHER, "you_said": "You said", "bye": "Goodbye"},
}


@pytest.fixture(autouse=True)
def roster(twilio_app: Flask, clock: ManualClock) -> None:
    start = clock.now() - timedelta(hours=1)
    make_person(
        twilio_app, name="Marie", role=Role.DISPATCHER, languages=("fr",), phone=FRENCH_DISPATCHER, on_duty_from=start
    )
    make_person(
        twilio_app, name="Jordan", role=Role.DISPATCHER, languages=("en",), phone=ENGLISH_DISPATCHER, on_duty_from=start
    )


def walk(app: Flask, tokens: Any, fake: FakeTwilioApi | None = None) -> CallSimulator:
    simulator = CallSimulator(
        FlaskClientTransport(app.test_client()),
        "http://localhost",
        TEST_AUTH_TOKEN,
        "+15145559876",
        "+15145550100",
        recordings=fake,
    )
    simulator.run(tokens)
    return simulator


def after_choice(simulator: CallSimulator) -> set[str]:
    """The languages of everything said after the bilingual greeting."""
    return {u.language for u in simulator.utterances()[2:]}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    "choice",
    [["1"], ["2"], ["0"], ["9", "0"], ["speech:danger"], ["speech@0.3:danger", "1"]],
    ids=["danger", "minor", "talk", "repeat-then-talk", "spoken-danger", "unsure-speech-confirmed"],
)
def test_every_way_to_a_human_in_both_languages(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, waits_for_a_human: Any, lang: str, choice: list[str]
) -> None:
    words = LANGUAGES[lang]
    caller = waits_for_a_human(twilio_app, [words["key"], *choice])
    simulator = walk(twilio_app, caller)
    assert caller.queued
    assert [call["to"] for call in fake_twilio.calls] == [words["dispatcher"]]
    assert after_choice(simulator) == {words["say"]}
    if choice[0].startswith("speech@"):
        assert any(text.startswith(words["you_said"]) for text in simulator.heard())
    if choice[0] == "9":
        menus = [text for text in simulator.heard() if "9" in text and "0" in text]
        assert len(menus) >= 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_named_tip_keeps_the_callers_number_encrypted(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, lang: str
) -> None:
    words = LANGUAGES[lang]
    simulator = walk(twilio_app, [words["key"], "3", "2", "record:30:#", "2"], fake_twilio)
    assert any(words["bye"] in text for text in simulator.heard())
    assert after_choice(simulator) == {words["say"]}
    rt = runtime(twilio_app)
    with rt.db.sessions() as session:
        contact = session.scalars(select(Contact)).one()
        assert not contact.anonymous
        assert contact.caller_number_enc is not None
        assert rt.cipher.decrypt_text(contact.caller_number_enc) == "+15145559876"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_resources_declined_then_goodbye(twilio_app: Flask, lang: str) -> None:
    words = LANGUAGES[lang]
    simulator = walk(twilio_app, [words["key"], "5", "2", "2"])
    assert any(words["bye"] in text for text in simulator.heard())
    assert after_choice(simulator) == {words["say"]}
    assert simulator.ended is not None
