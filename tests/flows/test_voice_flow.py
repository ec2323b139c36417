"""Every path of the default voice script, in French and in English, through the pure `step`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipline.flows import (
    Action,
    Ask,
    Effect,
    FlowInput,
    FlowState,
    HandOff,
    Hangup,
    Record,
    Say,
    Script,
    load_script,
    step,
)

SCRIPTS = Path(__file__).resolve().parents[2] / "ivr_scripts"
LANG_KEY = {"fr": "1", "en": "2"}


@pytest.fixture(scope="module")
def voice() -> Script:
    return load_script(SCRIPTS / "voice.yaml")


class Call:
    """A caller walking the script; keeps the state and the last actions, and round-trips the state as JSON."""

    def __init__(self, script: Script, org_name: str | None = None) -> None:
        self.script = script
        self.state = FlowState.start(script, vars={"org_name": org_name} if org_name else None)
        self.actions: tuple[Action, ...] = ()
        self.send(FlowInput(event="start"))

    def send(self, event: FlowInput) -> tuple[Action, ...]:
        state = FlowState.from_json(self.state.to_json())  # the adapter persists the state between requests
        self.state, self.actions = step(self.script, state, event)
        return self.actions

    def press(self, digits: str) -> tuple[Action, ...]:
        return self.send(FlowInput(event="input", digits=digits))

    def say(self, speech: str, confidence: float = 0.9) -> tuple[Action, ...]:
        return self.send(FlowInput(event="input", speech=speech, confidence=confidence))

    def silence(self) -> tuple[Action, ...]:
        return self.send(FlowInput(event="no_input"))

    def effect(self, **data: str) -> tuple[Action, ...]:
        return self.send(FlowInput(event="effect_result", data=data))

    def recorded(self, url: str = "https://api.twilio.test/Recordings/RE1") -> tuple[Action, ...]:
        return self.send(FlowInput(event="recording_done", data={"recording_url": url}))

    @property
    def node(self) -> str:
        return self.state.node

    def spoken(self) -> str:
        texts: list[str] = []
        for action in self.actions:
            if isinstance(action, Say):
                texts.append(action.text)
            elif isinstance(action, Ask | Record):
                prompts = action.prompts if isinstance(action, Ask) else action.prompt
                texts += [p.text for p in prompts if isinstance(p, Say)]
        return " ".join(texts)

    def last(self) -> Action:
        return self.actions[-1]


def in_menu(script: Script, lang: str) -> Call:
    call = Call(script)
    call.press(LANG_KEY[lang])
    assert call.node == "main_menu"
    assert call.state.lang == lang
    return call


# --- greeting and language --------------------------------------------------------------------------------


def test_greeting_names_the_police_and_911_in_both_languages_then_asks(voice: Script) -> None:
    call = Call(voice, org_name="Service de police de la Ville de Montréal")
    ask = call.last()
    assert isinstance(ask, Ask)
    assert [p.lang for p in ask.prompts] == ["fr", "en"]  # French first
    fr, en = (p for p in ask.prompts if isinstance(p, Say))
    assert "police" in fr.text and "9-1-1" in fr.text and "Service de police de la Ville de Montréal" in fr.text
    assert "police" in en.text and "9-1-1" in en.text
    assert fr.voice == "Polly.Gabrielle-Neural" and fr.language == "fr-CA"
    assert en.language == "en-US"
    assert "appuyez sur 1" in fr.text and "press 2" in en.text
    assert ask.num_digits == 1 and ask.finish_on_key == ""
    assert set(ask.input_modes) == {"dtmf", "speech"}
    assert "english" in ask.hints and "français" in ask.hints


@pytest.mark.parametrize(("said", "lang"), [("Français", "fr"), ("english please", "en"), ("anglais", "en")])
def test_language_by_speech(voice: Script, said: str, lang: str) -> None:
    call = Call(voice)
    call.say(said, confidence=0.3)  # the language is taken as heard, whatever the confidence
    assert call.node == "main_menu" and call.state.lang == lang


def test_no_answer_repeats_bilingually_once_then_continues_in_french(voice: Script) -> None:
    call = Call(voice)
    call.silence()
    assert call.node == "greeting"
    ask = call.last()
    assert isinstance(ask, Ask) and [p.lang for p in ask.prompts] == ["fr", "en"]
    call.silence()
    assert call.node == "main_menu" and call.state.lang == "fr"
    assert "appuyez sur 1" in call.spoken()


def test_zero_at_the_greeting_reaches_a_human_in_french(voice: Script) -> None:
    call = Call(voice)
    call.press("0")
    assert call.node == "human"
    handoff = call.last()
    assert isinstance(handoff, HandOff) and handoff.lang == "fr" and "talk" in handoff.flags


# --- main menu ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_danger_by_key_goes_to_a_human_with_danger_flags(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.press("1")
    assert call.node == "danger_handoff"
    assert isinstance(call.actions[0], Say) and call.actions[0].lang == lang
    handoff = call.last()
    assert isinstance(handoff, HandOff)
    assert {"danger", "talk"} <= set(handoff.flags) and handoff.lang == lang
    # Once with a human, the flow has nothing more to say.
    assert call.press("5") == ()


def test_journey_1_french_caller_says_danger(voice: Script) -> None:
    call = Call(voice)
    call.say("français")
    call.say("Au secours !", confidence=0.92)
    assert call.node == "danger_handoff"
    handoff = call.last()
    assert isinstance(handoff, HandOff) and handoff.flags[:2] == ("danger", "talk") and handoff.lang == "fr"


@pytest.mark.parametrize(("lang", "said"), [("fr", "c'est pour une adolescente"), ("en", "it's about a teenager")])
def test_minor_by_speech(voice: Script, lang: str, said: str) -> None:
    call = in_menu(voice, lang)
    call.say(said)
    assert call.node == "human"
    handoff = call.last()
    assert isinstance(handoff, HandOff) and {"minor", "talk"} <= set(handoff.flags)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_zero_is_global_in_menus(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.press("3")
    assert call.node == "tip_anonymous"
    call.press("0")
    assert call.node == "human"
    assert isinstance(call.last(), HandOff) and "talk" in call.state.flags


@pytest.mark.parametrize("key", ["9", "*"])
def test_repeat_the_menu(voice: Script, key: str) -> None:
    call = in_menu(voice, "fr")
    first = call.spoken()
    call.press(key)
    assert call.node == "main_menu"
    assert call.spoken() == first


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_junk_digits_retry_then_human(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.press("7")
    assert call.node == "main_menu" and call.state.retries == 1
    expected = {"fr": "Je n'ai pas compris", "en": "did not understand"}[lang]
    assert expected in call.spoken()
    call.press("8")
    assert call.node == "main_menu" and call.state.retries == 2
    call.press("7")
    assert call.node == "human"
    assert isinstance(call.last(), HandOff)
    assert "unclear" in call.state.flags


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_silence_retries_then_human_never_hangup(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.silence()
    expected = {"fr": "Je n'ai rien entendu", "en": "did not hear anything"}[lang]
    assert expected in call.spoken()
    call.silence()
    call.silence()
    assert call.node == "human"
    assert not any(isinstance(a, Hangup) for a in call.actions)
    handoff = call.last()
    assert isinstance(handoff, HandOff) and "no_response" in handoff.flags


def test_low_confidence_speech_is_confirmed_before_acting(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.say("danger", confidence=0.3)
    assert call.node == "main_menu"
    assert "Vous avez dit : danger. Est-ce exact ?" in call.spoken()
    assert call.state.pending is not None
    call.press("1")
    assert call.node == "danger_handoff"


def test_low_confidence_answered_no_asks_the_menu_again(voice: Script) -> None:
    call = in_menu(voice, "en")
    call.say("resources", confidence=0.2)
    assert "You said: resources. Is that right?" in call.spoken()
    call.say("no")
    assert call.node == "main_menu" and call.state.pending is None
    assert "In danger: 1." in call.spoken()  # the short retry version of the menu
    call.say("yes, resources", confidence=0.95)
    assert call.node == "resources_offer"


def test_low_confidence_confirmed_by_voice(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.say("ressources", confidence=0.1)
    call.say("oui c'est ça", confidence=0.4)
    assert call.node == "resources_offer"


def test_ambiguous_speech_is_confirmed(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.say("j'ai besoin d'aide pour une personne de moins de 18 ans", confidence=0.95)
    assert call.state.pending is not None
    assert "une personne de moins de 18 ans" in call.spoken()
    call.press("1")
    assert call.node == "human" and "minor" in call.state.flags


def test_spoken_digit_alone_is_a_key_but_not_inside_a_sentence(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.say("cinq")
    assert call.node == "resources_offer"
    call = in_menu(voice, "fr")
    call.say("un mineur")  # "un" is an article here, not the key 1
    assert call.node == "human" and "minor" in call.state.flags and "danger" not in call.state.flags


# --- 3. tip ------------------------------------------------------------------------------------------------


def tip_to_readback(call: Call, anonymous_key: str) -> Effect:
    call.press("3")
    call.press(anonymous_key)
    assert call.node == "tip_record"
    record = call.last()
    assert isinstance(record, Record) and record.max_length_s == 180 and record.finish_on_key == "#"
    call.recorded()
    assert call.node == "tip_save"
    effect = call.last()
    assert isinstance(effect, Effect)
    call.effect(result="ok", reference="4821937", pin="5512")
    assert call.node == "tip_readback"
    return effect


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_journey_2_anonymous_tip_reads_back_reference_twice_and_pin(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    effect = tip_to_readback(call, "1")
    assert effect.name == "create_tip"
    assert effect.args == {
        "channel": "voice",
        "anonymous": "yes",
        "recording_url": "https://api.twilio.test/Recordings/RE1",
        "lang": lang,
    }
    assert {"tip", "anonymous"} <= set(call.state.flags)
    spoken = call.spoken()
    assert spoken.count("4, 8, 2, 1, 9, 3, 7") == 2
    assert "5, 5, 1, 2" in spoken
    call.press("1")  # hear them again
    assert call.node == "tip_readback" and call.spoken().count("4, 8, 2, 1, 9, 3, 7") == 2
    call.press("2")
    assert call.node == "goodbye_tip"
    assert isinstance(call.last(), Hangup)
    assert isinstance(call.actions[0], Say) and "9-1-1" in call.actions[0].text


def test_tip_not_anonymous(voice: Script) -> None:
    call = in_menu(voice, "en")
    effect = tip_to_readback(call, "2")
    assert effect.args["anonymous"] == "no"
    assert "anonymous" not in call.state.flags


def test_tip_anonymity_by_speech_prefers_the_longer_phrase(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("3")
    call.say("pas anonyme")
    assert call.node == "tip_record" and call.state.vars["anonymous"] == "no"


def test_tip_readback_zero_talks_to_someone(voice: Script) -> None:
    call = in_menu(voice, "fr")
    tip_to_readback(call, "1")
    call.press("0")
    assert call.node == "human"


def test_empty_recording_retries_once_then_human(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("3")
    call.press("1")
    call.silence()
    assert call.node == "tip_record" and isinstance(call.last(), Record)
    assert "Je n'ai rien entendu" in call.spoken()
    call.send(FlowInput(event="recording_done", data={"recording_url": ""}))
    assert call.node == "human"


def test_tip_save_error_goes_to_a_human(voice: Script) -> None:
    call = in_menu(voice, "en")
    call.press("3")
    call.press("1")
    call.recorded()
    call.effect(result="error")
    assert call.node == "tip_save_failed"
    assert isinstance(call.last(), HandOff) and "failed" in call.state.flags


def test_effect_node_ignores_unrelated_events(voice: Script) -> None:
    call = in_menu(voice, "en")
    call.press("3")
    call.press("1")
    call.recorded()
    assert call.press("5") == () and call.node == "tip_save"


# --- 4. follow-up ------------------------------------------------------------------------------------------


def to_verify(call: Call, code: str = "4821937", pin: str = "5512") -> Effect:
    assert call.node == "followup_code"
    ask = call.last()
    assert isinstance(ask, Ask) and ask.finish_on_key == "#" and ask.input_modes == ("dtmf",)
    call.press(code)
    assert call.node == "followup_pin"
    call.press(pin)
    assert call.node == "followup_verify"
    effect = call.last()
    assert isinstance(effect, Effect)
    return effect


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_journey_2_follow_up_adds_a_recording(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.press("4")
    effect = to_verify(call)
    assert effect.name == "verify_followup"
    assert effect.args == {"code": "4821937", "pin": "5512", "lang": lang}
    assert "followup_pin" not in call.state.vars  # the PIN is not kept in the saved state
    call.effect(result="ok", followup_token="tok-1")
    assert call.node == "followup_menu"
    call.press("1")
    assert isinstance(call.last(), Record)
    call.recorded("https://api.twilio.test/Recordings/RE2")
    effect = call.last()
    assert isinstance(effect, Effect) and effect.name == "append_followup"
    assert effect.args == {"token": "tok-1", "recording_url": "https://api.twilio.test/Recordings/RE2", "lang": lang}
    call.effect(result="ok")
    assert call.node == "goodbye_followup" and isinstance(call.last(), Hangup)
    assert "followup" in call.state.flags


def test_follow_up_menu_can_talk_or_end(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    to_verify(call)
    call.effect(result="ok", followup_token="t")
    call.press("2")
    assert call.node == "goodbye" and isinstance(call.last(), Hangup)


@pytest.mark.parametrize("bad", ["bad_code", "bad_pin"])
def test_wrong_code_or_pin_three_times_goes_to_a_human(voice: Script, bad: str) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    for _ in range(2):
        to_verify(call)
        call.effect(result=bad)
        assert call.node == "followup_code"
        assert "ne correspond pas" in call.spoken()
    to_verify(call)
    call.effect(result=bad)
    assert call.node == "human"
    assert "toujours pas" in call.spoken()
    assert isinstance(call.last(), HandOff) and "locked" in call.state.flags


def test_wrong_code_and_wrong_pin_sound_the_same(voice: Script) -> None:
    spoken = []
    for bad in ("bad_code", "bad_pin"):
        call = in_menu(voice, "en")
        call.press("4")
        to_verify(call)
        call.effect(result=bad)
        spoken.append(call.spoken())
    assert spoken[0] == spoken[1]


def test_locked_follow_up_explains_and_offers_a_human(voice: Script) -> None:
    call = in_menu(voice, "en")
    call.press("4")
    to_verify(call)
    call.effect(result="locked")
    assert call.node == "followup_locked"
    assert "not your fault" in call.spoken()
    call.press("1")
    assert call.node == "human" and {"locked", "talk"} <= set(call.state.flags)


def test_locked_follow_up_can_end_the_call(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    to_verify(call)
    call.effect(result="locked")
    call.press("2")
    assert call.node == "goodbye" and isinstance(call.last(), Hangup)


def test_code_too_short_is_retried(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    call.press("12")
    assert call.node == "followup_code" and call.state.retries == 1
    call.silence()
    call.silence()
    assert call.node == "human"


def test_code_by_speech(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    call.send(FlowInput(event="input", speech="quatre huit deux un", confidence=0.9))
    assert call.node == "followup_pin" and call.state.vars["followup_code"] == "4821"


def test_verify_error_goes_to_a_human(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("4")
    to_verify(call)
    call.effect(result="error")
    assert call.node == "human" and "failed" in call.state.flags


# --- 5. resources ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_resources_read_then_text_only_after_warning_and_consent(voice: Script, lang: str) -> None:
    call = in_menu(voice, lang)
    call.press("5")
    assert call.node == "resources_offer"
    spoken = call.spoken()
    assert "1. 8, 3, 3. 9, 0, 0. 1, 0, 1, 0" in spoken  # the non-police national hotline, digit by digit
    assert "8, 1, 1" in spoken
    warning = {"fr": "un texto peut être vu par d'autres personnes", "en": "a text can be seen by other people"}
    assert warning[lang] in spoken
    assert not any(isinstance(a, Effect) for a in call.actions)
    call.press("1")
    effect = call.last()
    assert isinstance(effect, Effect) and effect.name == "send_resources_sms"
    assert effect.args["categories"] == "essential" and effect.args["lang"] == lang
    assert "1-833-900-1010" in effect.args["sms_body"]
    assert "police" not in effect.args["sms_body"].lower()
    call.effect(result="ok")
    assert call.node == "goodbye_sms_sent" and isinstance(call.last(), Hangup)


def test_resources_no_consent_sends_nothing_and_can_go_back(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("5")
    call.press("2")
    assert call.node == "resources_after"
    assert not any(isinstance(a, Effect) for a in call.actions)
    call.press("1")
    assert call.node == "main_menu"


def test_resources_no_consent_then_goodbye(voice: Script) -> None:
    call = in_menu(voice, "en")
    call.press("5")
    call.say("no text please")
    assert call.node == "resources_after"
    call.press("2")
    assert call.node == "goodbye" and isinstance(call.last(), Hangup)


def test_resources_repeat(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.press("5")
    call.press("3")
    assert call.node == "resources_offer" and "8, 1, 1" in call.spoken()


@pytest.mark.parametrize("result", ["unavailable", "error"])
def test_resources_text_failure_says_so_and_offers_the_menu(voice: Script, result: str) -> None:
    call = in_menu(voice, "fr")
    call.press("5")
    call.press("1")
    call.effect(result=result)
    assert call.node == "resources_after"
    assert "n'a pas pu être envoyé" in call.spoken()


def test_text_is_never_sent_without_consent_even_if_a_state_jumps_there(voice: Script) -> None:
    call = in_menu(voice, "fr")
    call.state = FlowState(node="resources_offer", lang="fr")
    call.press("1")
    assert isinstance(call.last(), Effect)  # consent given through the menu
    # A forged state that reaches the effect without consent gets no Effect.
    state = FlowState(node="resources_offer", lang="fr", vars={"sms_consent": "no"})
    from tipline.flows.engine import _enter

    state, actions = _enter(voice, state, "resources_send", [])
    assert not any(isinstance(a, Effect) for a in actions)
    assert state.node == "resources_after"


def test_unknown_node_in_saved_state_starts_again(voice: Script) -> None:
    state = FlowState(node="removed_node", lang="en")
    state, actions = step(voice, state, FlowInput(event="input", digits="1"))
    assert state.node == "greeting" and isinstance(actions[-1], Ask)
