"""Find stated ages ("j'ai 15 ans", "quinze ans", "she's 16", "15yo", "age 14") in normalised text."""

from __future__ import annotations

from tipline.triage.model import AgeRule

_LOOKBEHIND_CHARS = 40


def stated_ages(text: str, rule: AgeRule) -> list[tuple[int, str]]:
    """(age, matched words) for every present-tense age statement in normalised text.

    An age followed by a unit ("15 ans", "15yo") and an age after a prefix ("jai 15", "she's 16") may be the
    same statement ("jai 15 ans"); overlapping matches are merged into one.
    """
    spans: list[tuple[int, int, int]] = []
    for pattern, check_after in ((rule.with_unit, False), (rule.after_prefix, True)):
        for match in pattern.finditer(text):
            raw = match.group("num")
            age = int(raw) if raw.isdigit() else rule.numbers.get(raw, 0)
            if age <= 0:
                continue
            before = text[max(0, match.start() - _LOOKBEHIND_CHARS) : match.start()]
            if rule.before_number_blocks is not None and rule.before_number_blocks.search(before):
                continue
            blocks = rule.after_number_blocks
            if check_after and blocks is not None and blocks.match(text, match.end()):
                continue
            spans.append((match.start(), match.end(), age))
    spans.sort()
    merged: list[tuple[int, int, int]] = []
    for start, end, age in spans:
        if merged and start < merged[-1][1]:
            first_start, first_end, first_age = merged[-1]
            merged[-1] = (first_start, max(first_end, end), first_age)
        else:
            merged.append((start, end, age))
    return [(age, text[start:end]) for start, end, age in merged]


def minor_ages(text: str, rule: AgeRule) -> list[str]:
    """The matched words of every stated age under the rule's threshold."""
    return [words for age, words in stated_ages(text, rule) if age < rule.minor_below]
