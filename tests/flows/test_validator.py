"""Broken scripts are refused, with the file, the node and the problem named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tipline.flows import ScriptError, check_scripts, load_script

SCRIPTS = Path(__file__).resolve().parents[2] / "ivr_scripts"

BASE = """\
version: 1
channel: voice
start: menu
defaults:
  languages:
    fr: {language: fr-CA, voice: Polly.Chantal}
    en: {language: en-US, voice: Polly.Joanna}
  no_input: {fr: "Rien.", en: "Nothing."}
  no_match: {fr: "Pas compris.", en: "Not understood."}
  confirm: {fr: "Vous avez dit {heard} ?", en: "You said {heard}?"}
  yes_words: {fr: [oui], en: ["yes"]}
  no_words: {fr: [non], en: ["no"]}
nodes:
  menu:
    kind: menu
    prompt: {fr: "Appuyez sur 1 ou 2.", en: "Press 1 or 2."}
    options:
      - digit: "1"
        words: {fr: [parler], en: [talk]}
        goto: human
      - digit: "2"
        words: {fr: [terminer], en: [finish]}
        goto: bye
    on_fail: human
  human:
    kind: handoff
    prompt: {fr: "Un instant.", en: "One moment."}
  bye:
    kind: goodbye
    prompt: {fr: "Au revoir.", en: "Goodbye."}
"""


def write(tmp_path: Path, text: str, name: str = "voice.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        load_script(write(tmp_path, text))
    assert caught.value.problems, "a ScriptError must list its problems"
    return [str(p) for p in caught.value.problems]


def test_the_base_script_is_valid(tmp_path: Path) -> None:
    script = load_script(write(tmp_path, BASE))
    assert set(script.nodes) == {"menu", "human", "bye"}


def test_missing_translation(tmp_path: Path) -> None:
    broken = BASE.replace('prompt: {fr: "Au revoir.", en: "Goodbye."}', 'prompt: {fr: "Au revoir."}')
    assert problems_of(tmp_path, broken) == ["voice.yaml: node 'bye': prompt: missing the 'en' translation"]


def test_empty_translation(tmp_path: Path) -> None:
    broken = BASE.replace('en: "Goodbye."', 'en: ""')
    assert problems_of(tmp_path, broken) == ["voice.yaml: node 'bye': prompt.en is empty"]


def test_dangling_target(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: byee")
    found = problems_of(tmp_path, broken)
    assert "voice.yaml: node 'menu': options[2].goto: no node named 'byee'" in found


def test_unreachable_node(tmp_path: Path) -> None:
    broken = BASE + '  lost:\n    kind: goodbye\n    prompt: {fr: "Perdu.", en: "Lost."}\n'
    assert problems_of(tmp_path, broken) == [
        "voice.yaml: node 'lost': unreachable: no path leads here from start 'menu'"
    ]


def test_dead_end(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: loop_a") + (
        '  loop_a:\n    kind: menu\n    prompt: {fr: "A", en: "A"}\n'
        "    options:\n      - {digit: '1', words: {fr: [a], en: [a]}, goto: loop_b}\n    on_fail: loop_b\n"
        '  loop_b:\n    kind: say\n    prompt: {fr: "B", en: "B"}\n    goto: loop_a\n'
    )
    found = problems_of(tmp_path, broken)
    assert any("node 'loop_a': dead end" in p for p in found)
    assert any("node 'loop_b': dead end" in p for p in found)
    assert any("node 'bye': unreachable" in p for p in found)


def test_say_loop_without_a_question(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: s1") + (
        '  s1:\n    kind: say\n    prompt: {fr: "1", en: "1"}\n    goto: s2\n'
        '  s2:\n    kind: say\n    prompt: {fr: "2", en: "2"}\n    goto: s1\n'
    )
    found = problems_of(tmp_path, broken)
    assert any("node 's1': loop without a question" in p for p in found)


def test_duplicate_digit(tmp_path: Path) -> None:
    broken = BASE.replace('- digit: "2"', '- digit: "1"')
    assert "voice.yaml: node 'menu': options[2]: digit '1' is used twice in this menu" in problems_of(tmp_path, broken)


def test_invalid_dtmf_key(tmp_path: Path) -> None:
    broken = BASE.replace('- digit: "2"', '- digit: "A"')
    found = problems_of(tmp_path, broken)
    assert "voice.yaml: node 'menu': options[2].digit 'A' is not a phone key (0-9, * or #)" in found


def test_global_option_clashes_with_a_menu_digit(tmp_path: Path) -> None:
    broken = BASE.replace(
        '  no_words: {fr: [non], en: ["no"]}\n',
        '  no_words: {fr: [non], en: ["no"]}\n'
        "  global_options:\n    - {digit: '1', words: {fr: [humain], en: [human]}, goto: human}\n",
    )
    found = problems_of(tmp_path, broken)
    assert any("digit '1' is used twice" in p for p in found)


def test_speech_words_required_in_both_languages(tmp_path: Path) -> None:
    broken = BASE.replace("words: {fr: [parler], en: [talk]}", "words: {fr: [parler], en: []}")
    assert "voice.yaml: node 'menu': options[1]: spoken words missing in 'en'" in problems_of(tmp_path, broken)


def test_same_word_for_two_options(tmp_path: Path) -> None:
    broken = BASE.replace("en: [finish]", "en: [Talk]")
    found = problems_of(tmp_path, broken)
    assert "voice.yaml: node 'menu': options[2].words.en: 'Talk' already belongs to another option" in found


def test_words_may_be_omitted_when_speech_is_off(tmp_path: Path) -> None:
    fine = BASE.replace("    on_fail: human\n  human:", "    input: [dtmf]\n    on_fail: human\n  human:").replace(
        "words: {fr: [parler], en: [talk]}", "words: {fr: [], en: []}"
    )
    assert load_script(write(tmp_path, fine)).nodes["menu"]


@pytest.mark.parametrize(
    ("voice", "message"),
    [
        ("Polly.Joanna", "defaults.languages.fr.voice 'Polly.Joanna' does not speak fr-CA"),
        ("Polly.Chantall", "defaults.languages.fr.voice 'Polly.Chantall' does not speak fr-CA"),
        ("Polly.Lea", "defaults.languages.fr.voice 'Polly.Lea' does not speak fr-CA"),
    ],
)
def test_voice_must_speak_its_language(tmp_path: Path, voice: str, message: str) -> None:
    found = problems_of(tmp_path, BASE.replace("Polly.Chantal", voice))
    assert len(found) == 1 and found[0].startswith(f"voice.yaml: {message}")


def test_language_must_belong_to_the_script_language(tmp_path: Path) -> None:
    found = problems_of(tmp_path, BASE.replace("{language: en-US, voice: Polly.Joanna}", "{language: fr-FR}"))
    assert any("defaults.languages.en.language 'fr-FR' is not a en language" in p for p in found)


def test_en_ca_needs_a_voice_elsewhere(tmp_path: Path) -> None:
    found = problems_of(tmp_path, BASE.replace("{language: en-US, voice: Polly.Joanna}", "{language: en-CA}"))
    assert any("no known voice speaks en-CA" in p for p in found)


def test_en_ca_speech_language_is_fine(tmp_path: Path) -> None:
    script = load_script(
        write(tmp_path, BASE.replace("voice: Polly.Joanna}", "voice: Polly.Joanna, speech_language: en-CA}"))
    )
    assert script.defaults.voices["en"].speech_language == "en-CA"


def test_negative_retries(tmp_path: Path) -> None:
    broken = BASE.replace("    on_fail: human\n  human:", "    retries: -1\n    on_fail: human\n  human:")
    assert problems_of(tmp_path, broken) == ["voice.yaml: node 'menu': retries must be at least 0, not -1"]


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("    on_fial: human\n", "voice.yaml: node 'menu': menu node: unknown key 'on_fial'"),
        ("    gotoo: human\n", "voice.yaml: node 'menu': menu node: unknown key 'gotoo'"),
    ],
)
def test_unknown_keys_are_errors(tmp_path: Path, typo: str, expected: str) -> None:
    broken = BASE.replace("    on_fail: human\n  human:", f"    on_fail: human\n{typo}  human:")
    found = problems_of(tmp_path, broken)
    assert any(p.startswith(expected) for p in found)


def test_unknown_key_in_an_option_and_in_defaults(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: bye\n        flag: [talk]").replace("  retries", "  retries")
    broken = broken.replace("  no_input:", "  timeout: 5\n  no_input:")
    found = problems_of(tmp_path, broken)
    assert any("node 'menu': options[2]: unknown key 'flag'" in p for p in found)
    assert any(p.startswith("voice.yaml: defaults: unknown key 'timeout'") for p in found)


def test_unknown_kind_flag_effect_and_variable(tmp_path: Path) -> None:
    broken = BASE.replace("kind: goodbye", "kind: goodby")
    assert any("node 'bye': kind must be one of" in p for p in problems_of(tmp_path, broken))
    broken = BASE.replace("goto: human\n", "flags: [dangerr]\n        goto: human\n", 1)
    assert any("unknown flag 'dangerr'" in p for p in problems_of(tmp_path, broken))
    broken = BASE.replace('{fr: "Au revoir.", en: "Goodbye."}', '{fr: "Au revoir {nom}.", en: "Goodbye."}')
    assert any("node 'bye': prompt.fr: unknown variable {nom}" in p for p in problems_of(tmp_path, broken))
    broken = BASE.replace('{fr: "Au revoir.", en: "Goodbye."}', '{fr: "Au revoir {org_name|upper}.", en: "Bye."}')
    assert any("unknown filter '|upper'" in p for p in problems_of(tmp_path, broken))


def test_effects_are_checked(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: save") + (
        "  save:\n    kind: effect\n    effect: create_tip\n    args: {channel: voice, colour: blue}\n"
        "    results: {ok: bye, great: bye}\n    on_fail: human\n"
    )
    found = problems_of(tmp_path, broken)
    assert "voice.yaml: node 'save': effect 'create_tip' needs args.anonymous" in found
    assert "voice.yaml: node 'save': args.colour is not an argument of this effect" in found
    assert any(p.startswith("voice.yaml: node 'save': results.great: 'create_tip' never returns it") for p in found)


def test_texting_needs_consent_from_a_menu(tmp_path: Path) -> None:
    broken = BASE.replace("goto: bye", "goto: send") + (
        "  send:\n    kind: effect\n    effect: send_resources_sms\n    args: {categories: essential}\n"
        "    results: {ok: bye}\n    on_fail: bye\n"
    )
    found = problems_of(tmp_path, broken)
    assert any("'send_resources_sms' sends a text: reach it only from a menu option with set" in p for p in found)
    fixed = broken.replace("goto: send", "set: {sms_consent: 'yes'}\n        goto: send")
    assert load_script(write(tmp_path, fixed)).nodes["send"]


def test_yes_no_on_off_stay_words(tmp_path: Path) -> None:
    # YAML 1.1 would turn these into booleans; the loader keeps them as words.
    text = BASE.replace("en: [finish]", "en: [no, off, on]").replace(
        'no_words: {fr: [non], en: ["no"]}', "no_words: {fr: [non], en: [nope]}"
    )
    script = load_script(write(tmp_path, text))
    assert script.nodes["menu"].options[1].words["en"] == ("no", "off", "on")  # type: ignore[union-attr]


def test_duplicate_node_ids_are_refused(tmp_path: Path) -> None:
    broken = BASE + '  bye:\n    kind: goodbye\n    prompt: {fr: "Au revoir.", en: "Goodbye."}\n'
    found = problems_of(tmp_path, broken)
    assert len(found) == 1 and "duplicate key 'bye'" in found[0]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    found = problems_of(tmp_path, BASE + "  : : :\n   - [\n")
    assert found[0].startswith("voice.yaml: invalid YAML")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    broken = BASE.replace('en: "Goodbye."', 'en: ""').replace("goto: human\n", "goto: humann\n", 1)
    broken = broken.replace("Polly.Chantal", "Polly.Joanna")
    assert len(problems_of(tmp_path, broken)) >= 2


def test_sms_script_rules(tmp_path: Path) -> None:
    sms = (SCRIPTS / "sms.yaml").read_text(encoding="utf-8")
    shutil.copy(SCRIPTS / "resources.yaml", tmp_path / "resources.yaml")
    broken = sms.replace(
        "Bonjour, vous avez joint une ligne d'aide", "Bonjour, vous avez joint la police, une ligne d'aide"
    )
    found = problems_of(tmp_path, broken.replace("channel: sms", "channel: sms"))
    assert any("node 'welcome': prompt.fr: texts must use neutral words; remove police" in p for p in found)
    long_text = sms.replace("Merci. Une personne de notre équipe", "Merci. " + "Très long. " * 30 + "Une personne")
    found = problems_of(tmp_path, long_text)
    assert any("node 'talk': prompt.fr:" in p and "must stay within 320" in p for p in found)
    voice_only = sms.replace("  talk:\n    kind: handoff", "  talk:\n    kind: record")
    assert any("kind 'record' cannot be used in a sms script" in p for p in problems_of(tmp_path, voice_only))


def test_check_scripts_reports_every_file(tmp_path: Path) -> None:
    for name in ("voice.yaml", "sms.yaml", "resources.yaml"):
        shutil.copy(SCRIPTS / name, tmp_path / name)
    assert check_scripts(tmp_path) == []
    resources = (tmp_path / "resources.yaml").read_text(encoding="utf-8")
    (tmp_path / "resources.yaml").write_text(
        resources.replace('fr: "Info-Social"', 'fr: "Info-Social police"').replace('phone: "811"', 'phone: "81a"'),
        encoding="utf-8",
    )
    found = [str(p) for p in check_scripts(tmp_path)]
    assert any(p.startswith("resources.yaml: node 'info_social': phone '81a'") for p in found)
    (tmp_path / "resources.yaml").write_text(
        resources.replace('fr: "Info-Social"', 'fr: "Info-Social police"'), encoding="utf-8"
    )
    found = [str(p) for p in check_scripts(tmp_path)]
    assert found == [
        "resources.yaml: node 'info_social': sms_name.fr is sent by text and must be neutral; remove police"
    ]
    (tmp_path / "voice.yaml").unlink()
    assert any(p.file == "voice.yaml" and "cannot read" in p.message for p in check_scripts(tmp_path))
