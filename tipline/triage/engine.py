"""assess(): score menu choices and free texts against compiled rules, and say why."""

from __future__ import annotations

from collections.abc import Iterable

from tipline.triage.ages import minor_ages
from tipline.triage.model import Cues, Priority, Reason, Source, TextRule, TriageResult, TriageRules
from tipline.triage.normalize import normalize_text

_CLAUSE_ENDS = ".!?;,:\n"
_WINDOW_CHARS = 80


def assess(
    *,
    choices: Iterable[str] = (),
    texts: Iterable[str] = (),
    rules: TriageRules | None = None,
) -> TriageResult:
    """Return the priority, categories and reasons for one contact's choices and texts."""
    if rules is None:
        from tipline.triage import default_rules  # deferred: the package imports this module

        rules = default_rules()
    found = _Found(rules)
    picked = {c.strip().casefold() for c in choices if c and c.strip()}
    for choice_rule in rules.choice_rules:
        if choice_rule.choice in picked:
            found.add(choice_rule.id, choice_rule.category, choice_rule.priority, choice_rule.choice, "choice")
    has_text = False
    for raw in texts:
        text = normalize_text(raw) if raw else ""
        if not text:
            continue
        has_text = True
        for rule in rules.text_rules:
            for words in _rule_hits(text, rule, rules.cues):
                found.add(rule.id, rule.category, rule.priority, words, "text")
        if rules.age is not None:
            for words in minor_ages(text, rules.age):
                found.add(rules.age.id, rules.age.category, rules.age.priority, words, "text")
    _apply_combinations(found, rules)
    if not found.matched:
        if has_text:
            found.add("default.free_text", None, rules.defaults.with_text, "", "default")
        else:
            found.add("default.no_signal", None, rules.defaults.without_text, "", "default")
    return found.result()


def _rule_hits(text: str, rule: TextRule, cues: Cues) -> list[str]:
    if rule.pattern is None:
        return []
    excluded = [m.span() for m in rule.exclude.finditer(text)] if rule.exclude is not None else []
    hits: list[str] = []
    for match in rule.pattern.finditer(text):
        start, end = match.span()
        if any(start < x_end and x_start < end for x_start, x_end in excluded):
            continue
        if rule.negatable and _cued(text, start, cues, past=False):
            continue
        if rule.past_sensitive and _cued(text, start, cues, past=True):
            continue
        hits.append(match.group(0))
    return hits


def _cued(text: str, start: int, cues: Cues, *, past: bool) -> bool:
    """True when a negation (or past-tense) cue sits within the window of words before ``start``."""
    pattern = cues.past if past else cues.negation
    if pattern is None:
        return False
    before = text[max(0, start - _WINDOW_CHARS) : start]
    clause = before[max(before.rfind(c) for c in _CLAUSE_ENDS) + 1 :]
    if cues.exceptions is not None:
        # "de plus en plus en danger": remove exceptions before counting words, so they cannot hide a cue
        # or pose as one.
        clause = cues.exceptions.sub(" ", clause)
    window = " ".join(clause.split()[-cues.window :])
    return bool(window) and pattern.search(window) is not None


def _apply_combinations(found: _Found, rules: TriageRules) -> None:
    # Repeat until nothing new fires, so one combination may feed another (runaway -> minor -> minor at risk).
    for _ in range(len(rules.combinations)):
        fired = False
        for combo in rules.combinations:
            if combo.id in found.matched:
                continue
            present = found.categories()
            witnesses = [sorted(group & present, key=rules.order.__getitem__) for group in combo.all_of]
            if all(witnesses):
                words = tuple(dict.fromkeys(c for group in witnesses for c in group))
                found.add_many(combo.id, combo.category, combo.priority, words, "combination")
                fired = True
        if not fired:
            return


class _Found:
    """Accumulates reasons, one per rule id, keeping the matched words in first-seen order."""

    def __init__(self, rules: TriageRules) -> None:
        self.rules = rules
        self.matched: dict[str, dict[str, None]] = {}
        self.meta: dict[str, tuple[str | None, Priority, Source, int]] = {}

    def add(self, rule_id: str, category: str | None, priority: Priority, words: str, source: Source) -> None:
        self.add_many(rule_id, category, priority, (words,) if words else (), source)

    def add_many(
        self, rule_id: str, category: str | None, priority: Priority, words: tuple[str, ...], source: Source
    ) -> None:
        if rule_id not in self.meta:
            self.meta[rule_id] = (category, priority, source, len(self.meta))
            self.matched[rule_id] = {}
        self.matched[rule_id].update(dict.fromkeys(words))

    def categories(self) -> set[str]:
        return {category for category, _, _, _ in self.meta.values() if category is not None}

    def result(self) -> TriageResult:
        reasons = sorted(
            (
                Reason(rule_id, category, priority, tuple(self.matched[rule_id]), source)
                for rule_id, (category, priority, source, _) in self.meta.items()
            ),
            key=lambda r: (r.priority, self.meta[r.rule_id][3]),
        )
        categories = sorted(self.categories(), key=self.rules.order.__getitem__)
        return TriageResult(
            priority=reasons[0].priority,
            categories=tuple(categories),
            reasons=tuple(reasons),
            rules_version=self.rules.version,
        )
