"""The shipped scripts: complete in both languages, no unknown variables, texts short and neutral."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tipline.flows import FlowInput, FlowState, Reply, Script, check_scripts, load_script, sms_segments, step
from tipline.flows.catalog import LANGS
from tipline.flows.model import Prompt
from tipline.flows.render import fields
from tipline.flows.speech import words
from tipline.flows.validate import SMS_MAX_CHARS, defined_vars, sample_lookup

SCRIPTS = Path(__file__).resolve().parents[2] / "ivr_scripts"


def test_shipped_scripts_pass_the_check() -> None:
    assert [str(p) for p in check_scripts(SCRIPTS)] == []


def bilingual_maps(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping in a YAML tree that has a language key."""
    if isinstance(node, dict):
        if set(node) & set(LANGS):
            yield where, node
        for key, value in node.items():
            yield from bilingual_maps(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from bilingual_maps(value, f"{where}[{i}]")


@pytest.mark.parametrize("name", ["voice.yaml", "sms.yaml", "resources.yaml"])
def test_everything_written_in_one_language_exists_in_the_other(name: str) -> None:
    raw = yaml.safe_load((SCRIPTS / name).read_text(encoding="utf-8"))
    found = list(bilingual_maps(raw))
    assert len(found) > 10
    for where, mapping in found:
        if where.endswith(("languages", "choices")):  # per-language settings, not text
            continue
        assert set(mapping) == set(LANGS), f"{name}{where}: {sorted(mapping)}"
        for lang in LANGS:
            assert mapping[lang] not in (None, "", []), f"{name}{where}.{lang} is empty"


def prompts(script: Script) -> Iterator[tuple[str, Prompt]]:
    d = script.defaults
    yield "defaults.no_input", d.no_input
    yield "defaults.no_match", d.no_match
    yield "defaults.confirm", d.confirm
    for node in script.nodes.values():
        for key in ("prompt", "retry_prompt", "ack"):
            value = getattr(node, key, None)
            if isinstance(value, Prompt):
                yield f"{node.id}.{key}", value


@pytest.mark.parametrize("name", ["voice.yaml", "sms.yaml"])
def test_every_prompt_has_both_languages_and_only_known_variables(name: str) -> None:
    script = load_script(SCRIPTS / name)
    known = defined_vars(script)
    count = 0
    for where, prompt in prompts(script):
        for lang in LANGS:
            text = prompt.get(lang).text
            assert text, f"{name} {where}.{lang}"
            for variable, _ in fields(text):
                assert variable in known, f"{name} {where}.{lang}: {{{variable}}}"
            count += 1
    assert count >= 2 * len(script.nodes) // 2


def test_sms_replies_fit_in_320_characters_and_count_segments() -> None:
    script = load_script(SCRIPTS / "sms.yaml")
    from tipline.flows.render import render

    for lang in LANGS:
        values = sample_lookup(script, lang)
        for where, prompt in prompts(script):
            text = render(prompt.get(lang).text or "", values.get, spoken=False)
            assert len(text) <= SMS_MAX_CHARS, f"{where}.{lang}: {len(text)} characters"
            assert sms_segments(text) <= 5, f"{where}.{lang}: {sms_segments(text)} segments"


def test_first_sms_reply_names_neither_police_nor_exploitation() -> None:
    script = load_script(SCRIPTS / "sms.yaml")
    for first in ("allo", "jai 15 ans il me laisse pas partir", "hello"):
        _, actions = step(script, FlowState.start(script), FlowInput(event="start", text=first))
        replies = [a for a in actions if isinstance(a, Reply)]
        assert len(replies) == 1
        said = set(words(replies[0].text))
        for word in ("police", "policier", "spvm", "exploitation", "traite", "trafficking", "sexuelle", "sexual"):
            assert word not in said


def test_voice_greeting_says_plainly_it_is_the_police() -> None:
    script = load_script(SCRIPTS / "voice.yaml")
    greeting = script.nodes[script.start]
    prompt = greeting.prompt  # type: ignore[union-attr]
    assert "police" in prompt.get("fr").text and "9-1-1" in prompt.get("fr").text
    assert "police" in prompt.get("en").text and "9-1-1" in prompt.get("en").text


def test_the_non_police_hotline_is_offered() -> None:
    script = load_script(SCRIPTS / "voice.yaml")
    hotline = next(r for r in script.resources if r.phone == "1-833-900-1010")
    assert "essential" in hotline.categories and hotline.police is False


def test_state_round_trips_through_json() -> None:
    script = load_script(SCRIPTS / "voice.yaml")
    state = FlowState.start(script, vars={"org_name": "SPVM"})
    state, _ = step(script, state, FlowInput(event="start"))
    state, _ = step(script, state, FlowInput(event="input", speech="English", confidence=0.9))
    state, _ = step(script, state, FlowInput(event="input", speech="resources", confidence=0.2))
    assert state.pending is not None
    again = FlowState.from_json(state.to_json())
    assert again == state
