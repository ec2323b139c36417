"""Every path of the default SMS script, in French and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipline.flows import Action, Effect, FlowInput, FlowState, HandOff, Reply, Script, load_script, step
from tipline.flows.speech import words

SCRIPTS = Path(__file__).resolve().parents[2] / "ivr_scripts"


@pytest.fixture(scope="module")
def sms() -> Script:
    return load_script(SCRIPTS / "sms.yaml")


class Texter:
    def __init__(self, script: Script, first: str = "allo") -> None:
        self.script = script
        self.state = FlowState.start(script)
        self.actions: tuple[Action, ...] = ()
        self.send(FlowInput(event="start", text=first))

    def send(self, event: FlowInput) -> tuple[Action, ...]:
        state = FlowState.from_json(self.state.to_json())
        self.state, self.actions = step(self.script, state, event)
        return self.actions

    def text(self, body: str) -> tuple[Action, ...]:
        return self.send(FlowInput(event="input", text=body))

    def effect(self, **data: str) -> tuple[Action, ...]:
        return self.send(FlowInput(event="effect_result", data=data))

    def replies(self) -> list[str]:
        return [a.text for a in self.actions if isinstance(a, Reply)]

    @property
    def node(self) -> str:
        return self.state.node


def english(script: Script) -> Texter:
    texter = Texter(script)
    texter.text("EN")
    assert texter.state.lang == "en"
    return texter


SENSITIVE = {"police", "policier", "spvm", "exploitation", "traite", "trafficking", "prostitution", "sexuel", "sexual"}


def test_first_reply_is_neutral_gives_911_and_the_choices(sms: Script) -> None:
    texter = Texter(sms, first="jai 15 ans il me laisse pas partir")
    (reply,) = texter.replies()
    assert not SENSITIVE & set(words(reply))
    assert "9-1-1" in reply
    assert "1" in reply and "2" in reply and "3" in reply
    assert "EN" in reply  # the way to switch to English
    assert len(reply) <= 320
    assert texter.node == "welcome" and texter.state.lang is None


def test_switch_to_english_and_back_at_any_time(sms: Script) -> None:
    texter = english(sms)
    (reply,) = texter.replies()
    assert reply.startswith("Hello") and "9-1-1" in reply
    texter.text("2")
    assert texter.node == "tip_anonymous"
    texter.text("Français")
    assert texter.state.lang == "fr" and texter.node == "tip_anonymous"
    assert "anonyme" in texter.replies()[0]


@pytest.mark.parametrize(("lang", "body"), [("fr", "1"), ("fr", "je veux parler à quelqu'un"), ("en", "talk")])
def test_talk_hands_off_with_neutral_words(sms: Script, lang: str, body: str) -> None:
    texter = Texter(sms) if lang == "fr" else english(sms)
    texter.text(body)
    assert texter.node == "talk"
    handoff = texter.actions[-1]
    assert isinstance(handoff, HandOff) and handoff.lang == lang and "talk" in handoff.flags
    (reply,) = texter.replies()
    assert not SENSITIVE & set(words(reply))
    # After the hand-off, messages belong to the dispatcher conversation: the flow says nothing more.
    assert texter.text("allo?") == ()


def test_journey_3_free_text_goes_straight_to_a_person(sms: Script) -> None:
    texter = Texter(sms, first="jai 15 ans il me laisse pas partir")
    texter.text("svp aidez moi il me laisse pas partir")
    assert texter.node == "talk"
    assert isinstance(texter.actions[-1], HandOff)
    assert "unclear" in texter.state.flags


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tip_collected_over_several_messages_then_reference_and_pin(sms: Script, lang: str) -> None:
    texter = Texter(sms) if lang == "fr" else english(sms)
    texter.text("2")
    texter.text("1")  # anonymous
    assert texter.node == "tip_collect"
    assert {"tip", "anonymous"} <= set(texter.state.flags)
    texter.text("Un salon de massage près de l'école, rue Principale.")
    ack = texter.replies()
    assert len(ack) == 1 and ("FIN" in ack[0] or "DONE" in ack[0])
    assert texter.text("Des jeunes entrent le soir.") == ()  # no reply to every message
    end = "FIN" if lang == "fr" else "done"
    texter.text(f"Il y a une voiture grise. {end}")
    effect = texter.actions[-1]
    assert isinstance(effect, Effect) and effect.name == "create_tip"
    assert effect.args["channel"] == "sms" and effect.args["anonymous"] == "yes" and effect.args["lang"] == lang
    assert effect.args["text"] == (
        "Un salon de massage près de l'école, rue Principale.\nDes jeunes entrent le soir.\nIl y a une voiture grise."
    )
    texter.effect(result="ok", reference="4821937", pin="5512")
    assert texter.node == "tip_done"
    (reply,) = texter.replies()
    assert "4821937" in reply and "5512" in reply and len(reply) <= 320
    assert not SENSITIVE & set(words(reply))


def test_tip_not_anonymous_and_idle_ends_collection(sms: Script) -> None:
    texter = Texter(sms)
    texter.text("information")
    texter.text("non")
    texter.text("Il y a quelque chose de louche au 123 rue X")
    texter.send(FlowInput(event="idle"))
    effect = texter.actions[-1]
    assert isinstance(effect, Effect) and effect.args["anonymous"] == "no"
    assert "anonymous" not in texter.state.flags


def test_tip_end_word_alone_with_nothing_collected_goes_back_to_the_menu(sms: Script) -> None:
    texter = Texter(sms)
    texter.text("2")
    texter.text("1")
    texter.text("fin")
    assert texter.node == "welcome"
    assert not any(isinstance(a, Effect) for a in texter.actions)


def test_tip_save_failure_hands_off(sms: Script) -> None:
    texter = english(sms)
    texter.text("2")
    texter.text("2")
    texter.text("something DONE")
    texter.effect(result="error")
    assert texter.node == "tip_failed" and isinstance(texter.actions[-1], HandOff)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_resources_after_consent_are_short_and_neutral(sms: Script, lang: str) -> None:
    texter = Texter(sms) if lang == "fr" else english(sms)
    texter.text("3")
    assert texter.node == "resources_consent"
    (warning,) = texter.replies()
    assert ("d'autres personnes" in warning) if lang == "fr" else ("other people" in warning)
    texter.text("1")
    replies = texter.replies()
    listing = "\n".join(replies[:-1])
    assert "1-833-900-1010" in listing and "811" in listing
    assert all(len(r) <= 320 for r in replies)
    assert not SENSITIVE & set(words(listing))
    assert texter.node == "goodbye_resources"


def test_resources_refused_sends_nothing(sms: Script) -> None:
    texter = Texter(sms)
    texter.text("3")
    texter.text("non")
    assert texter.node == "goodbye"
    assert "1-833" not in " ".join(texter.replies())


def test_bad_answer_is_retried_once_then_a_person(sms: Script) -> None:
    texter = Texter(sms)
    texter.text("2")
    texter.text("peut-être")
    assert texter.node == "tip_anonymous"
    replies = texter.replies()
    assert len(replies) == 2 and "pas compris" in replies[0]
    texter.text("je sais pas")
    assert texter.node == "talk"


def test_new_message_after_goodbye_starts_again_in_the_same_language(sms: Script) -> None:
    texter = english(sms)
    texter.text("3")
    texter.text("no")
    assert texter.node == "goodbye"
    texter.text("hi again")
    assert texter.node == "welcome" and texter.replies()[0].startswith("Hello")


def test_a_first_text_of_en_answers_in_english(sms: Script) -> None:
    texter = Texter(sms, first="english")
    assert texter.state.lang == "en" and texter.replies()[0].startswith("Hello")
