"""The French/English guess on a first text: how people really write, and "don't know" when it can't tell."""

from __future__ import annotations

import pytest

from tipline.sms.language import detect_language

FRENCH = [
    "jai 15 ans il me laisse pas partir",
    "Bonjour",
    "allo",
    "svp aidez moi",
    "chu pas capable de sortir",
    "il a pris mon passeport",
    "où êtes-vous?",
    "Je veux parler à quelqu'un",
    "ya un gars qui la suit tout le temps",
    "mon chum me force à travailler",
    "Il y a une voiture grise devant l'hôtel",
    "jai peur",
    "Est-ce que c'est confidentiel?",
    "ma fille est partie depuis 3 jours",
    "pis la il veut que je paye",
    "merci",
    "Salut, c'est pour ma soeur",
    "je sais pas quoi faire",
]
ENGLISH = [
    "im 15 he wont let me leave",
    "hello",
    "hi",
    "help me please",
    "can someone talk to me",
    "There is a massage place near the school",
    "my boyfriend took my phone",
    "I need to report something",
    "she's 16 and they make her work at night",
    "is this confidential?",
    "thank you",
    "where are you",
    "I don't know what to do",
    "my friend is scared to go home",
]
UNKNOWN = ["1", "2", "ok", "😀", "", "   ", "EN", "911"]


@pytest.mark.parametrize("text", FRENCH)
def test_french(text: str) -> None:
    assert detect_language(text) == "fr"


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", UNKNOWN)
def test_too_little_to_tell(text: str) -> None:
    assert detect_language(text) is None
