"""Turn the phrases a supervisor writes into compiled regular expressions over normalised text.

Phrase syntax (documented in docs/triage.md):
- plain words, matched on word boundaries, accent- and case-insensitive;
- an apostrophe matches an apostrophe, a space or nothing ("j'ai" matches "j'ai", "j ai", "jai");
- ``*`` at the end of a word matches any word ending ("forc*" matches "force", "forcée", "forcer");
- a phrase starting with ``re:`` is a regular expression applied to the normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tipline.triage.normalize import APOSTROPHES, normalize_text

REGEX_PREFIX = "re:"
_APOSTROPHE_MARK = "'"
_WORD = re.compile(r"\w")
_WORD_START = r"(?<!\w)"


class PhraseError(ValueError):
    """A phrase that cannot be turned into a pattern; the message says why."""


def phrase_pattern(phrase: str) -> str:
    """Return the regular expression (source) for one phrase, or raise PhraseError."""
    if phrase.startswith(REGEX_PREFIX):
        source = phrase[len(REGEX_PREFIX) :].strip()
        if not source:
            raise PhraseError("empty regular expression")
        try:
            compiled = re.compile(source)
        except re.error as exc:
            raise PhraseError(f"invalid regular expression {source!r}: {exc}") from exc
        if compiled.search("") is not None:
            raise PhraseError(f"regular expression {source!r} matches empty text")
        return f"(?:{source})"
    unified = "".join(_APOSTROPHE_MARK if c in APOSTROPHES else c for c in phrase)
    text = normalize_text(unified, keep=_APOSTROPHE_MARK)
    text = re.sub(rf"\s*{_APOSTROPHE_MARK}\s*", _APOSTROPHE_MARK, text).strip(_APOSTROPHE_MARK + " ")
    if not text.replace("*", "").strip():
        raise PhraseError("empty phrase")
    if text.startswith("*"):
        raise PhraseError(f"phrase {phrase!r} cannot start with '*'")
    parts: list[str] = []
    for char in text:
        if char == _APOSTROPHE_MARK:
            parts.append(" ?")
        elif char == "*":
            parts.append(r"\w*")
        elif char == " ":
            parts.append(" ")
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    head = _WORD_START if _WORD.match(text[0]) else ""
    tail = r"(?!\w)" if _WORD.match(text[-1]) or text.endswith("*") else ""
    return f"{head}{body}{tail}"


def alternation(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """Compile patterns into one alternation, longest first so the fullest phrase wins at a position.

    The word-start check is factored out of the branches: most positions are inside a word, and there the
    whole alternation then fails at once instead of trying every branch.
    """
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    if not unique:
        return None
    bounded = [p.removeprefix(_WORD_START) for p in unique if p.startswith(_WORD_START)]
    free = [p for p in unique if not p.startswith(_WORD_START)]
    branches = []
    if bounded:
        branches.append(_WORD_START + "(?:" + "|".join(f"(?:{p})" for p in bounded) + ")")
    branches.extend(f"(?:{p})" for p in free)
    return re.compile("|".join(branches))
