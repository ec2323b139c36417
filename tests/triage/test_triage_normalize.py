from __future__ import annotations

import re

import pytest

from tipline.triage.normalize import normalize_text
from tipline.triage.patterns import PhraseError, phrase_pattern


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Je suis EN DANGER", "je suis en danger"),
        ("Âgée de 16 ANS", "agee de 16 ans"),
        ("j’ai   15 ans", "j ai 15 ans"),
        ("l'hôtel «Le Square»", "l hotel le square"),
        ("aidezzzz moi", "aidez moi"),
        ("sœur", "soeur"),
        ("15-year-old", "15 year old"),
        ("🆘\ufe0f help", "🆘 help"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("j'ai peur", "jai peur", True),
        ("j'ai peur", "j ai peur", True),
        ("Sécurité", "pas en securite", True),
        ("pimp", "pimpant", False),
        ("forc*", "il me forcait", True),
        ("🆘", "aide🆘", True),
        ("he won't let me leave", "he wont let me leave", True),
    ],
)
def test_phrase_pattern_matches_on_word_boundaries(phrase: str, text: str, matches: bool) -> None:
    pattern = re.compile(phrase_pattern(phrase))
    assert (pattern.search(normalize_text(text)) is not None) is matches


@pytest.mark.parametrize("phrase", ["''", "*", "re:(unclosed", "re:a*", "re:"])
def test_bad_phrases_are_rejected(phrase: str) -> None:
    with pytest.raises(PhraseError):
        phrase_pattern(phrase)
