"""Measure the shipped rules on the labelled set. Uses the real rule file and real data, so it can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipline.triage import load_rules
from tipline.triage.evaluation import LabelledMessage, evaluate, load_labelled
from tipline.triage.model import PRIORITIES

ROOT = Path(__file__).resolve().parents[2]
MIN_P1_RECALL = 0.95


@pytest.fixture(scope="module")
def messages() -> list[LabelledMessage]:
    return load_labelled(ROOT / "tests" / "data" / "triage_labelled.jsonl")


def test_labelled_set_is_large_varied_and_bilingual(messages: list[LabelledMessage]) -> None:
    rules = load_rules(ROOT / "ivr_scripts" / "triage.yaml")
    assert len(messages) >= 300
    french = sum(m.lang == "fr" for m in messages) / len(messages)
    assert 0.5 <= french <= 0.6
    assert {m.priority for m in messages} == set(PRIORITIES)
    for message in messages:
        assert message.lang in ("fr", "en")
        assert set(message.categories) <= set(rules.categories), message.categories


def test_p1_recall(messages: list[LabelledMessage], capsys: pytest.CaptureFixture[str]) -> None:
    evaluation = evaluate(messages, load_rules(ROOT / "ivr_scripts" / "triage.yaml"))
    with capsys.disabled():
        print()
        print("\n".join(evaluation.matrix_lines()))
        for priority in PRIORITIES:
            print(
                f"{priority}: recall {evaluation.recall(priority):.3f} precision {evaluation.precision(priority):.3f}"
            )
        print(f"accuracy {evaluation.accuracy:.3f}")
    missed_p1 = [m.text for m, r in evaluation.misses if m.priority == "P1" and r.priority != "P1"]
    assert evaluation.recall("P1") >= MIN_P1_RECALL, f"P1 messages not flagged P1: {missed_p1}"
