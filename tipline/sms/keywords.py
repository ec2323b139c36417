"""Keywords a texter may send at any time (STOP, AIDE, URGENT…), listed in ``ivr_scripts/sms.yaml``.

A keyword is a whole message: « Arrêt », " stop ", "STOP!" are STOP; "stop calling him" is not. Case, accents,
spaces and punctuation are ignored, so "9-1-1", "9 1 1" and "911" are the same word.
"""

from __future__ import annotations

from dataclasses import dataclass

from tipline.flows import Script
from tipline.flows.speech import normalize

# The keyword sets the adapter acts on; "french" and "english" are the flow engine's (a language switch).
ADAPTER_KEYWORDS = ("stop", "start", "help", "urgent")


@dataclass(frozen=True)
class Keyword:
    name: str  # "stop", "start", "help" or "urgent"
    lang: str | None  # the language the word belongs to; None when both languages use it (STOP, URGENT)


def _squeezed(text: str) -> str:
    return normalize(text).replace(" ", "")


def match_keyword(script: Script, body: str) -> Keyword | None:
    """The keyword ``body`` is, if it is one."""
    said = _squeezed(body)
    if not said:
        return None
    for name in ADAPTER_KEYWORDS:
        langs = [
            lang for lang, listed in script.keywords.get(name, {}).items() if any(_squeezed(w) == said for w in listed)
        ]
        if langs:
            return Keyword(name, langs[0] if len(langs) == 1 else None)
    return None
