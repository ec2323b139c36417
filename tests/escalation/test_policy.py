"""The escalation policy file: the shipped one is valid and bilingual; a broken one is refused with problems
that name the file and the step."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tipline.config import PROJECT_ROOT
from tipline.escalation.policy import MESSAGES, PolicyError, check_policy_file, load_policy
from tipline.ivr.scripts import check_all

SHIPPED = PROJECT_ROOT / "ivr_scripts" / "escalation.yaml"


def edited(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw.update(change)
    path = tmp_path / "escalation.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_policy_is_valid_and_every_text_exists_in_french_and_english() -> None:
    assert check_policy_file(SHIPPED) == []
    policy = load_policy(SHIPPED)
    assert policy.plan.steps[0].targets == ("esup_on_call",)
    assert policy.plan.steps[0].channels[0] == "sms"
    for name in MESSAGES:
        assert policy.messages[name]["fr"] and policy.messages[name]["en"]
        assert policy.messages[name]["fr"] != policy.messages[name]["en"]


def test_scripts_check_covers_the_policy(tmp_path: Path) -> None:
    for source in (PROJECT_ROOT / "ivr_scripts").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "escalation.yaml").write_text("steps: []\n", encoding="utf-8")
    assert any(problem.startswith("escalation.yaml:") for problem in check_all(tmp_path))


def test_bad_steps_are_named_by_file_and_step(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        {
            "steps": [
                {"targets": ["esup_on_call"], "channels": ["sms"], "delay_minutes": 5},
                {"targets": ["the_chief"], "channels": ["pager"], "delay_minutes": -1},
                {"targets": ["supervisor_on_duty"], "channels": ["voice"]},
            ]
        },
    )
    problems = check_policy_file(path)
    assert (
        "escalation.yaml: step 2: unknown target 'the_chief' (known: esup_on_call, esup_next, supervisor_on_duty)"
        in (problems)
    )
    assert "escalation.yaml: step 2: unknown channel 'pager' (known: sms, voice)" in problems
    assert "escalation.yaml: step 2: delay_minutes must not be negative" in problems
    assert "escalation.yaml: step 3: delay_minutes is required (a number of minutes)" in problems
    assert not any("step 1" in problem for problem in problems)
    with pytest.raises(PolicyError):
        load_policy(path)


def test_a_text_missing_in_one_language_or_with_a_stray_placeholder_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    messages = raw["messages"]
    messages["sms_alert"] = {"fr": messages["sms_alert"]["fr"]}
    messages["voice_alert"]["en"] += " Caller: {caller_number}"
    problems = check_policy_file(edited(tmp_path, {"messages": messages, "repeat": -1}))
    assert "escalation.yaml: message 'sms_alert' has no en text" in problems
    assert "escalation.yaml: message 'voice_alert' (en) uses unknown placeholder(s) caller_number" in problems
    assert "escalation.yaml: repeat must be a whole number from 0 to 10" in problems
