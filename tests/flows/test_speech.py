from __future__ import annotations

import pytest

from tipline.flows import sms_segments, speak_digits, speak_phone
from tipline.flows.render import render
from tipline.flows.speech import best_match, digits_in, normalize, spoken_key


def test_normalize_ignores_case_accents_and_punctuation() -> None:
    assert normalize("  J'ai BESOIN d'aide ! ") == "j ai besoin d aide"
    assert normalize("Français") == normalize("francais") == "francais"
    assert normalize("Œuvre") == "oeuvre"


def test_match_on_whole_words_and_phrases() -> None:
    candidates = [["danger", "au secours"], ["mineur"], ["aide"]]
    match = best_match("AU SECOURS!", candidates)
    assert match is not None and match.index == 0 and not match.ambiguous
    assert best_match("aidez", candidates) is None  # "aide" is not "aidez"
    assert best_match("dangereux", candidates) is None


def test_longest_phrase_wins_and_contained_phrases_do_not_compete() -> None:
    match = best_match("je ne veux pas être anonyme", [["anonyme"], ["pas anonyme", "pas etre anonyme"]])
    assert match is not None and match.index == 1 and not match.ambiguous


def test_two_different_options_heard_is_ambiguous() -> None:
    match = best_match("danger pour un mineur", [["danger"], ["mineur"]])
    assert match is not None and match.index == 0 and match.ambiguous


@pytest.mark.parametrize(
    ("said", "key"), [("2", "2"), ("Deux.", "2"), ("one", "1"), ("étoile", "*"), ("un mineur", None)]
)
def test_spoken_key(said: str, key: str | None) -> None:
    assert spoken_key(said) == key


def test_digits_in_speech() -> None:
    assert digits_in("4 8 2 1") == "4821"
    assert digits_in("quatre huit, deux un") == "4821"
    assert digits_in("4821937") == "4821937"


def test_speaking_numbers() -> None:
    assert speak_digits("4821937") == "4, 8, 2, 1, 9, 3, 7"
    assert speak_phone("1-833-900-1010") == "1. 8, 3, 3. 9, 0, 0. 1, 0, 1, 0"
    assert speak_phone("811") == "8, 1, 1"


def test_render_filters_only_on_the_phone() -> None:
    values = {"reference": "4821"}
    assert render("Code : {reference|digits}.", values.get, spoken=True) == "Code : 4, 8, 2, 1."
    assert render("Code : {reference|digits}.", values.get, spoken=False) == "Code : 4821."
    assert render("{missing}!", values.get, spoken=True) == "!"


def test_sms_segments() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("é" * 160) == 1  # é is in GSM-7
    assert sms_segments("ê" * 70) == 1  # ê is not: UCS-2, 70 a segment
    assert sms_segments("ê" * 71) == 2
