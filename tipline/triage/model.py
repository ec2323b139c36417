"""Value types of the triage module: what a rule file becomes, and what an assessment returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Priority = Literal["P1", "P2", "P3", "P4"]
PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4")
Source = Literal["choice", "text", "combination", "default"]
LANGUAGES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label_fr: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired, with the words that made it fire (normalised: lower case, no accents)."""

    rule_id: str
    category: str | None
    priority: Priority
    matched: tuple[str, ...]
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "priority": self.priority,
            "matched": list(self.matched),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class TriageResult:
    priority: Priority
    categories: tuple[str, ...]
    reasons: tuple[Reason, ...]
    rules_version: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form for storage and audit. Holds matched words, so treat it as case data."""
        return {
            "priority": self.priority,
            "categories": list(self.categories),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "rules_version": self.rules_version,
        }


@dataclass(frozen=True, slots=True)
class TextRule:
    """A lexicon rule: its phrases in both languages compiled into one alternation."""

    id: str
    category: str | None
    priority: Priority
    pattern: re.Pattern[str] | None
    exclude: re.Pattern[str] | None = None
    negatable: bool = False
    past_sensitive: bool = False


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    id: str
    choice: str
    category: str | None
    priority: Priority


@dataclass(frozen=True, slots=True)
class Combination:
    """Fires when every group has at least one of its categories among those already found."""

    id: str
    category: str
    priority: Priority
    all_of: tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Cues:
    """Negation or past-tense cues looked for in a window of words before a match."""

    window: int
    negation: re.Pattern[str] | None
    past: re.Pattern[str] | None
    exceptions: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class AgeRule:
    id: str
    category: str
    priority: Priority
    minor_below: int
    with_unit: re.Pattern[str]
    after_prefix: re.Pattern[str]
    numbers: dict[str, int]
    before_number_blocks: re.Pattern[str] | None
    after_number_blocks: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Defaults:
    with_text: Priority
    without_text: Priority


@dataclass(frozen=True, slots=True)
class TriageRules:
    """A validated, compiled rule file. Build it with load_rules(); it is immutable and thread-safe."""

    source: str
    version: str
    categories: dict[str, Category]
    text_rules: tuple[TextRule, ...]
    choice_rules: tuple[ChoiceRule, ...]
    combinations: tuple[Combination, ...]
    cues: Cues
    age: AgeRule | None
    defaults: Defaults
    order: dict[str, int] = field(default_factory=dict)

    def label(self, category: str, lang: str) -> str:
        return self.categories[category].label(lang)
