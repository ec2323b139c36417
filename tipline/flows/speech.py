"""Matching what a caller said (or texted) against the words a script lists.

Matching is on whole words, ignoring case, accents and punctuation: « Au secours ! » matches "au secours",
"aide" does not match "aidez" (list both if you want both).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NON_WORD = re.compile(r"[^0-9a-z]+")

# A spoken key ("one", « deux ») counts as the digit only when it is the whole answer: "un mineur" is not "1".
_DIGIT_WORDS: dict[str, str] = {
    "zero": "0",
    "un": "1",
    "une": "1",
    "one": "1",
    "deux": "2",
    "two": "2",
    "to": "2",
    "too": "2",
    "trois": "3",
    "three": "3",
    "quatre": "4",
    "four": "4",
    "for": "4",
    "cinq": "5",
    "five": "5",
    "six": "6",
    "sept": "7",
    "seven": "7",
    "huit": "8",
    "eight": "8",
    "neuf": "9",
    "nine": "9",
    "etoile": "*",
    "star": "*",
    "diese": "#",
    "carre": "#",
    "pound": "#",
}


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by one space: « J'ai BESOIN d'aide ! » → "j ai besoin d aide"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("œ", "oe").replace("æ", "ae")
    return " ".join(_NON_WORD.sub(" ", bare).split())


def words(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).split())


def find_phrase(haystack: Sequence[str], phrase: Sequence[str]) -> int | None:
    """Index of the first occurrence of `phrase` (a word sequence) in `haystack`, or None."""
    if not phrase:
        return None
    n = len(phrase)
    for i in range(len(haystack) - n + 1):
        if tuple(haystack[i : i + n]) == tuple(phrase):
            return i
    return None


def spoken_key(text: str) -> str | None:
    """The key a caller said or texted when that is the whole answer ("2", « deux », "2." ), else None."""
    tokens = words(text)
    if len(tokens) != 1:
        return None
    word = tokens[0]
    if word.isdigit() and len(word) == 1:
        return word
    return _DIGIT_WORDS.get(word)


def digits_in(text: str) -> str:
    """Every digit in an utterance, in order: "4 8 2 1" or « quatre huit deux un » → "4821"."""
    out: list[str] = []
    for token in words(text):
        if token.isdigit():
            out.append(token)
        elif token in _DIGIT_WORDS and _DIGIT_WORDS[token].isdigit():
            out.append(_DIGIT_WORDS[token])
    return "".join(out)


@dataclass(frozen=True)
class Match:
    index: int  # which candidate matched
    phrase: str  # the listed word or phrase that matched
    ambiguous: bool  # more than one candidate matched


def best_match(utterance: str, candidates: Sequence[Iterable[str]]) -> Match | None:
    """The candidate whose phrase occurs in `utterance`.

    Each candidate is a list of phrases. The longest matching phrase wins (« pas anonyme » beats « anonyme »),
    then the earliest in the utterance. `ambiguous` is set when phrases of several candidates occur, so the
    engine can ask the caller to confirm.
    """
    said = words(utterance)
    hits: list[tuple[int, int, int, str]] = []  # (-length, position, candidate, phrase)
    for index, phrases in enumerate(candidates):
        for phrase in phrases:
            tokens = words(phrase)
            position = find_phrase(said, tokens)
            if position is not None:
                hits.append((-len(tokens), position, index, phrase))
    if not hits:
        return None
    hits.sort()
    _, _, index, phrase = hits[0]
    others = {hit[2] for hit in hits} - {index}
    # A shorter phrase inside the winner (« anonyme » in « pas anonyme ») is not a competing answer.
    winner_tokens = words(phrase)
    competing = {hit[2] for hit in hits if hit[2] in others and find_phrase(winner_tokens, words(hit[3])) is None}
    return Match(index=index, phrase=phrase, ambiguous=bool(competing))
