"""Measure rules against labelled messages: confusion matrix, recall and precision per priority.

Used by the test suite and bench/triage_bench.py, and by a supervisor checking an edit against the set.
Reports counts only, never message texts, unless a caller asks for the misses explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tipline.triage.engine import assess
from tipline.triage.model import PRIORITIES, Priority, TriageResult, TriageRules


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    text: str
    choices: tuple[str, ...]
    lang: str
    priority: Priority
    categories: tuple[str, ...]
    # "tuning": the lexicon was adjusted while looking at these; "holdout": written after, never tuned on.
    split: str = "tuning"


@dataclass(slots=True)
class Evaluation:
    # confusion[expected][predicted] = count
    confusion: dict[Priority, dict[Priority, int]] = field(
        default_factory=lambda: {e: dict.fromkeys(PRIORITIES, 0) for e in PRIORITIES}
    )
    misses: list[tuple[LabelledMessage, TriageResult]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.confusion.values())

    @property
    def accuracy(self) -> float:
        correct = sum(self.confusion[p][p] for p in PRIORITIES)
        return correct / self.total if self.total else 0.0

    def recall(self, priority: Priority) -> float:
        expected = sum(self.confusion[priority].values())
        return self.confusion[priority][priority] / expected if expected else 0.0

    def precision(self, priority: Priority) -> float:
        predicted = sum(self.confusion[e][priority] for e in PRIORITIES)
        return self.confusion[priority][priority] / predicted if predicted else 0.0

    def matrix_lines(self) -> list[str]:
        """The confusion matrix as text: rows are expected priorities, columns predicted."""
        lines = ["expected \\ predicted " + " ".join(f"{p:>5}" for p in PRIORITIES)]
        for expected in PRIORITIES:
            row = " ".join(f"{self.confusion[expected][p]:>5}" for p in PRIORITIES)
            lines.append(f"{expected:<21}{row}")
        return lines


def load_labelled(path: Path | str) -> list[LabelledMessage]:
    """Read a JSON-lines file of {"text", "choices"?, "lang", "priority", "categories", "split"?}."""
    messages: list[LabelledMessage] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            priority = record["priority"]
            if priority not in PRIORITIES:
                raise ValueError(f"{path}:{number}: priority {priority!r} is not one of {PRIORITIES}")
            messages.append(
                LabelledMessage(
                    text=record.get("text", ""),
                    choices=tuple(record.get("choices", ())),
                    lang=record["lang"],
                    priority=priority,
                    categories=tuple(record.get("categories", ())),
                    split=record.get("split", "tuning"),
                )
            )
    return messages


def assess_message(message: LabelledMessage, rules: TriageRules) -> TriageResult:
    texts: Sequence[str] = (message.text,) if message.text else ()
    return assess(choices=message.choices, texts=texts, rules=rules)


def evaluate(messages: Iterable[LabelledMessage], rules: TriageRules) -> Evaluation:
    evaluation = Evaluation()
    for message in messages:
        result = assess_message(message, rules)
        evaluation.confusion[message.priority][result.priority] += 1
        if result.priority != message.priority:
            evaluation.misses.append((message, result))
    return evaluation
