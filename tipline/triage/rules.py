"""Load a triage rule file (YAML), validate it, and compile every pattern once.

Validation collects every problem instead of stopping at the first, so a supervisor fixes the file in one go.
Each problem names the file, the place in the file, and what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import yaml

from tipline.triage.model import (
    LANGUAGES,
    PRIORITIES,
    AgeRule,
    Category,
    ChoiceRule,
    Combination,
    Cues,
    Defaults,
    Priority,
    TextRule,
    TriageRules,
)
from tipline.triage.normalize import normalize_text
from tipline.triage.patterns import PhraseError, alternation, phrase_pattern

TOP_LEVEL_KEYS = frozenset({"version", "categories", "rules", "choices", "combinations", "negation", "age", "default"})
RULE_KEYS = frozenset({"id", "category", "priority", "phrases", "exclude", "negatable", "past_sensitive", "note"})
_ID = re.compile(r"^[a-z][a-z0-9_.]*$")


class RuleFileError(ValueError):
    """The rule file cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Collector:
    """Gathers problems, each prefixed with the file name."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{self.source}: {where}: {problem}")


def check_rules_file(path: Path | str) -> list[str]:
    """Return the problems in a rule file; an empty list means the file is fine."""
    try:
        load_rules(path)
    except RuleFileError as exc:
        return exc.problems
    return []


def load_rules(path: Path | str) -> TriageRules:
    """Read, validate and compile a rule file. Raise RuleFileError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([f"{path}: cannot read file: {exc}"]) from exc
    return parse_rules(text, source=str(path))


def parse_rules(text: str, *, source: str = "<rules>") -> TriageRules:
    """Validate and compile rule-file text (the YAML itself)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleFileError([f"{source}: not valid YAML: {exc}"]) from exc
    out = _Collector(source)
    if not isinstance(raw, dict):
        out.add("file", "must be a mapping with 'categories' and 'rules'")
        raise RuleFileError(out.problems)
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            out.add("file", f"unknown section {key!r} (expected one of {sorted(TOP_LEVEL_KEYS)})")
    categories = _categories(raw.get("categories"), out)
    known = set(categories)
    ids: set[str] = set()
    text_rules = _text_rules(raw.get("rules"), known, ids, out)
    choice_rules = _choice_rules(raw.get("choices", []), known, ids, out)
    combinations = _combinations(raw.get("combinations", []), known, ids, out)
    cues = _cues(raw.get("negation", {}), out)
    age = _age(raw.get("age"), known, ids, out)
    defaults = _defaults(raw.get("default", {}), out)
    if out.problems:
        raise RuleFileError(out.problems)
    order = {category: index for index, category in enumerate(categories)}
    return TriageRules(
        source=source,
        version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        categories=categories,
        text_rules=tuple(text_rules),
        choice_rules=tuple(choice_rules),
        combinations=tuple(combinations),
        cues=cues,
        age=age,
        defaults=defaults,
        order=order,
    )


def _categories(raw: Any, out: _Collector) -> dict[str, Category]:
    if not isinstance(raw, dict) or not raw:
        out.add("categories", "missing or empty; each category needs label: {fr, en}")
        return {}
    categories: dict[str, Category] = {}
    for key, body in raw.items():
        where = f"category {key!r}"
        if not isinstance(key, str) or not _ID.match(key):
            out.add(where, "id must be lower-case letters, digits and underscores")
            continue
        label = body.get("label") if isinstance(body, dict) else None
        if not isinstance(label, dict):
            out.add(where, "missing label: {fr: ..., en: ...}")
            continue
        missing = [lang for lang in LANGUAGES if not isinstance(label.get(lang), str) or not label[lang].strip()]
        for lang in missing:
            out.add(where, f"missing {lang} label")
        if not missing:
            categories[key] = Category(key, label["fr"].strip(), label["en"].strip())
    return categories


def _check_id(raw_id: Any, kind: str, index: int, ids: set[str], out: _Collector) -> str | None:
    if not isinstance(raw_id, str) or not _ID.match(raw_id):
        out.add(f"{kind} #{index + 1}", f"id {raw_id!r} must be lower-case letters, digits, '_' or '.'")
        return None
    if raw_id in ids:
        out.add(f"{kind} {raw_id!r}", "duplicate rule id")
        return None
    ids.add(raw_id)
    return raw_id


def _priority(value: Any, where: str, out: _Collector) -> Priority | None:
    if value not in PRIORITIES:
        out.add(where, f"priority {value!r} is not one of {', '.join(PRIORITIES)}")
        return None
    return cast(Priority, value)


def _category(value: Any, known: set[str], where: str, out: _Collector) -> str | None:
    if value not in known:
        out.add(where, f"unknown category {value!r}")
        return None
    return cast(str, value)


def _optional_category(value: Any, known: set[str], where: str, out: _Collector) -> tuple[bool, str | None]:
    """(valid, category): a rule may have no category (a plain tip signal), but a named one must exist."""
    if value is None:
        return True, None
    category = _category(value, known, where, out)
    return category is not None, category


def _phrases(raw: Any, where: str, field: str, out: _Collector) -> list[str]:
    """Return the compiled patterns of a {fr: [...], en: [...]} lexicon, reporting every bad phrase."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        out.add(where, f"{field} must be a mapping with 'fr' and 'en' lists")
        return []
    patterns: list[str] = []
    for lang, phrases in raw.items():
        if lang not in LANGUAGES:
            out.add(where, f"{field}: unknown language {lang!r} (use fr or en)")
            continue
        if phrases is None:
            continue
        if not isinstance(phrases, list):
            out.add(where, f"{field}.{lang} must be a list of phrases")
            continue
        seen: set[str] = set()
        for position, phrase in enumerate(phrases, start=1):
            label = f"{field}.{lang} #{position}"
            if not isinstance(phrase, str) or not phrase.strip():
                out.add(where, f"{label} is an empty phrase")
                continue
            try:
                pattern = phrase_pattern(phrase.strip())
            except PhraseError as exc:
                out.add(where, f"{label}: {exc}")
                continue
            if pattern in seen:
                out.add(where, f"{label}: phrase {phrase!r} is listed twice")
            seen.add(pattern)
            patterns.append(pattern)
    return patterns


def _bool(value: Any, where: str, field: str, out: _Collector) -> bool:
    if not isinstance(value, bool):
        out.add(where, f"{field} must be true or false")
        return False
    return value


def _text_rules(raw: Any, known: set[str], ids: set[str], out: _Collector) -> list[TextRule]:
    if not isinstance(raw, list) or not raw:
        out.add("rules", "missing or empty; expected a list of rules")
        return []
    rules: list[TextRule] = []
    for index, body in enumerate(raw):
        if not isinstance(body, dict):
            out.add(f"rule #{index + 1}", "must be a mapping")
            continue
        rule_id = _check_id(body.get("id"), "rule", index, ids, out)
        where = f"rule {rule_id or body.get('id') or '#' + str(index + 1)!r}"
        for key in body:
            if key not in RULE_KEYS:
                out.add(where, f"unknown key {key!r}")
        category_ok, category = _optional_category(body.get("category"), known, where, out)
        priority = _priority(body.get("priority"), where, out)
        phrases = _phrases(body.get("phrases"), where, "phrases", out)
        if "phrases" not in body:
            out.add(where, "missing phrases: {fr: [...], en: [...]}")
        exclude = _phrases(body.get("exclude"), where, "exclude", out)
        negatable = _bool(body.get("negatable", False), where, "negatable", out)
        past = _bool(body.get("past_sensitive", False), where, "past_sensitive", out)
        if rule_id and priority and category_ok:
            rules.append(
                TextRule(rule_id, category, priority, alternation(phrases), alternation(exclude), negatable, past)
            )
    return rules


def _choice_rules(raw: Any, known: set[str], ids: set[str], out: _Collector) -> list[ChoiceRule]:
    if not isinstance(raw, list):
        out.add("choices", "must be a list")
        return []
    rules: list[ChoiceRule] = []
    for index, body in enumerate(raw):
        if not isinstance(body, dict):
            out.add(f"choice #{index + 1}", "must be a mapping")
            continue
        rule_id = _check_id(body.get("id"), "choice", index, ids, out)
        where = f"choice {rule_id or '#' + str(index + 1)!r}"
        choice = body.get("choice")
        if not isinstance(choice, str) or not choice.strip():
            out.add(where, "missing choice name")
            continue
        category_ok, category = _optional_category(body.get("category"), known, where, out)
        priority = _priority(body.get("priority"), where, out)
        if rule_id and priority and category_ok:
            rules.append(ChoiceRule(rule_id, choice.strip().casefold(), category, priority))
    return rules


def _combinations(raw: Any, known: set[str], ids: set[str], out: _Collector) -> list[Combination]:
    if not isinstance(raw, list):
        out.add("combinations", "must be a list")
        return []
    combos: list[Combination] = []
    for index, body in enumerate(raw):
        if not isinstance(body, dict):
            out.add(f"combination #{index + 1}", "must be a mapping")
            continue
        rule_id = _check_id(body.get("id"), "combination", index, ids, out)
        where = f"combination {rule_id or '#' + str(index + 1)!r}"
        category = _category(body.get("category"), known, where, out)
        priority = _priority(body.get("priority"), where, out)
        groups_raw = body.get("all_of")
        if not isinstance(groups_raw, list) or not groups_raw:
            out.add(where, "all_of must be a non-empty list of category lists")
            continue
        groups: list[frozenset[str]] = []
        for group in groups_raw:
            members = group if isinstance(group, list) else [group]
            valid = [m for m in members if _category(m, known, where, out) is not None]
            if len(valid) == len(members) and valid:
                groups.append(frozenset(valid))
        if rule_id and category and priority and len(groups) == len(groups_raw):
            combos.append(Combination(rule_id, category, priority, tuple(groups)))
    return combos


def _cue_pattern(raw: Any, where: str, field: str, out: _Collector) -> re.Pattern[str] | None:
    return alternation(_phrases(raw, where, field, out))


def _cues(raw: Any, out: _Collector) -> Cues:
    if not isinstance(raw, dict):
        out.add("negation", "must be a mapping with window, cues, past_cues")
        return Cues(0, None, None, None)
    window = raw.get("window", 3)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 10:
        out.add("negation", "window must be a whole number of words between 1 and 10")
        window = 3
    return Cues(
        window=window,
        negation=_cue_pattern(raw.get("cues"), "negation", "cues", out),
        past=_cue_pattern(raw.get("past_cues"), "negation", "past_cues", out),
        exceptions=_cue_pattern(raw.get("exceptions"), "negation", "exceptions", out),
    )


def _number_words(raw: Any, out: _Collector) -> dict[str, int]:
    numbers: dict[str, int] = {}
    if not isinstance(raw, dict):
        out.add("age", "numbers must be a mapping {fr: {word: number}, en: {...}}")
        return numbers
    for lang, words in raw.items():
        if lang not in LANGUAGES or not isinstance(words, dict):
            out.add("age", f"numbers.{lang} must be a mapping of word to number, in fr or en")
            continue
        for word, value in words.items():
            key = normalize_text(str(word))
            if not key or not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 130:
                out.add("age", f"numbers.{lang}: {word!r} must map to a whole number between 1 and 129")
                continue
            numbers[key] = value
    return numbers


def _unbounded(patterns: Iterable[str]) -> str:
    """Alternation of unit patterns that may follow a digit directly ("15ans", "15yo")."""
    return "|".join(sorted({p.removeprefix(r"(?<!\w)") for p in patterns}, key=lambda p: (-len(p), p)))


def _age(raw: Any, known: set[str], ids: set[str], out: _Collector) -> AgeRule | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        out.add("age", "must be a mapping")
        return None
    rule_id = _check_id(raw.get("id", "age_minor"), "age", 0, ids, out)
    category = _category(raw.get("category"), known, "age", out)
    priority = _priority(raw.get("priority"), "age", out)
    minor_below = raw.get("minor_below", 18)
    if not isinstance(minor_below, int) or isinstance(minor_below, bool):
        out.add("age", "minor_below must be a whole number")
        minor_below = 18
    numbers = _number_words(raw.get("numbers", {}), out)
    units = _phrases(raw.get("units"), "age", "units", out)
    prefixes = _phrases(raw.get("prefixes"), "age", "prefixes", out)
    qualifiers = _phrases(raw.get("qualifiers"), "age", "qualifiers", out)
    blocked_before = _phrases(raw.get("blocked_before"), "age", "blocked_before", out)
    blocked_after = _phrases(raw.get("blocked_after"), "age", "blocked_after", out)
    if not units or not prefixes:
        out.add("age", "units and prefixes must each list at least one phrase")
    if not (rule_id and category and priority and units and prefixes):
        return None
    words = "|".join(re.escape(w) for w in sorted(numbers, key=lambda w: (-len(w), w)))
    number = rf"(?P<num>\d{{1,2}}|{words})" if words else r"(?P<num>\d{1,2})"
    qualifier = f"(?:(?:{'|'.join(qualifiers)}) )?" if qualifiers else ""
    with_unit = re.compile(rf"(?<![\w.,$]){number} ?(?:{_unbounded(units)})")
    after_prefix = re.compile(rf"(?:{'|'.join(prefixes)}):? {qualifier}{number}(?![\w.,]\d)(?!\w)")
    before = re.compile(rf"(?:{'|'.join(blocked_before)}) ?$") if blocked_before else None
    after = re.compile(rf" ?(?:{'|'.join(blocked_after)})") if blocked_after else None
    return AgeRule(rule_id, category, priority, minor_below, with_unit, after_prefix, numbers, before, after)


def _defaults(raw: Any, out: _Collector) -> Defaults:
    if not isinstance(raw, dict):
        out.add("default", "must be a mapping with with_text and without_text")
        return Defaults("P3", "P4")
    with_text = _priority(raw.get("with_text", "P3"), "default.with_text", out) or "P3"
    without_text = _priority(raw.get("without_text", "P4"), "default.without_text", out) or "P4"
    return Defaults(with_text, without_text)
