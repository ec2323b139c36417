"""Text normalisation shared by messages and lexicon phrases, so both are compared in the same form."""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = "'’‘`´ʼʹ′"
_QUOTES = '"“”«»„‟'
_DASHES = "-‐‑‒–—―_"
_SEPARATORS = {ord(c): " " for c in APOSTROPHES + _QUOTES + _DASHES}
_LIGATURES = {ord("œ"): "oe", ord("æ"): "ae"}
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe0e\ufe0f\u200d]")
# "helppp", "aidezzz moi", "nooon": people stretch words when they are upset.
_STRETCHED = re.compile(r"([^\W\d])\1{2,}")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str, *, keep: str = "") -> str:
    """Strip accents, casefold, turn apostrophes, quotes and dashes into spaces, collapse whitespace.

    ``keep`` lists characters that must survive unchanged (the phrase compiler keeps its apostrophe marker).
    """
    decomposed = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    separators = {k: v for k, v in _SEPARATORS.items() if chr(k) not in keep} if keep else _SEPARATORS
    folded = decomposed.casefold().translate(_LIGATURES).translate(separators)
    folded = _STRETCHED.sub(r"\1", folded)
    return _SPACES.sub(" ", folded).strip()
