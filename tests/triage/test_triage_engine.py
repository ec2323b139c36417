from __future__ import annotations

import json
from pathlib import Path

import pytest

from tipline.triage import TriageRules, assess, load_rules
from tipline.triage.ages import stated_ages

RULES_FILE = Path(__file__).resolve().parents[2] / "ivr_scripts" / "triage.yaml"


@pytest.fixture(scope="module")
def rules() -> TriageRules:
    return load_rules(RULES_FILE)


def test_journey_three_minor_and_coercion_is_p1(rules: TriageRules) -> None:
    result = assess(choices=[], texts=["jai 15 ans il me laisse pas partir"], rules=rules)
    assert result.priority == "P1"
    assert result.categories == ("minor_involved", "coercive_procuring")
    by_rule = {reason.rule_id: reason for reason in result.reasons}
    assert by_rule["age.minor"].matched == ("jai 15 ans",)
    assert by_rule["age.minor"].source == "text"
    assert "me laisse pas partir" in by_rule["coercion_words"].matched
    combo = by_rule["combo.minor_at_risk_now"]
    assert (combo.priority, combo.source) == ("P1", "combination")
    assert combo.matched == ("minor_involved", "coercive_procuring")
    assert result.reasons[0] is combo


def test_to_dict_is_json_serialisable(rules: TriageRules) -> None:
    result = assess(choices=["danger"], texts=["il a un couteau"], rules=rules)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["priority"] == "P1"
    assert data["categories"] == ["immediate_danger"]
    assert data["rules_version"] == rules.version
    assert {
        "rule_id": "choice.danger",
        "category": "immediate_danger",
        "priority": "P1",
        "matched": ["danger"],
        "source": "choice",
    } in data["reasons"]


@pytest.mark.parametrize(
    "text",
    [
        "je suis pas en danger",
        "Je ne suis plus en danger",
        "chu pu en danger merci",
        "I'm not in danger anymore",
        "no longer in danger, just wanted to talk",
        "je suis plus du tout en danger",
        "not suicidal, just tired",
    ],
)
def test_negation_within_window_does_not_fire(rules: TriageRules, text: str) -> None:
    result = assess(texts=[text], rules=rules)
    assert "immediate_danger" not in result.categories
    assert "self_harm" not in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "je suis en danger",
        "pas le temps de parler, je suis en danger",  # the cue is in another clause
        "il me laisse pas partir pis je suis en danger",  # the cue is outside the window
        "je suis de plus en plus en danger",  # an exception, not a negation
        "I'm not safe",  # the negation belongs to the phrase
    ],
)
def test_danger_outside_negation_window_fires(rules: TriageRules, text: str) -> None:
    assert assess(texts=[text], rules=rules).priority == "P1"


def test_past_danger_is_not_immediate(rules: TriageRules) -> None:
    assert "immediate_danger" not in assess(texts=["j'étais en danger l'an passé"], rules=rules).categories
    assert "immediate_danger" in assess(texts=["my friend was kidnapped tonight"], rules=rules).categories


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("j'ai 15 ans", 15),
        ("jai 15ans", 15),
        ("14ans", 14),
        ("quinze ans", 15),
        ("elle a dix-sept ans", 17),
        ("ma soeur de seize ans", 16),
        ("she's 16", 16),
        ("shes only 13", 13),
        ("15yo", 15),
        ("15 y/o", 15),
        ("a 14-year-old girl", 14),
        ("age 14", 14),
        ("âge: 14", 14),
        ("fourteen years old", 14),
        ("my sister is 15", 15),
    ],
)
def test_ages_in_digits_and_words_flag_minor(rules: TriageRules, text: str, age: int) -> None:
    assert rules.age is not None
    from tipline.triage.normalize import normalize_text

    assert [found for found, _ in stated_ages(normalize_text(text), rules.age)] == [age]
    result = assess(texts=[text], rules=rules)
    assert "minor_involved" in result.categories
    assert result.priority == "P2"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 18 ans",
        "she's 19",
        "dix-huit ans",
        "vingt-cinq ans",
        "il a 42 ans",
        "j'arrive dans 15 minutes",
        "i'm 15 minutes away",
        "jai 15 $",
        "ça fait 15 ans que je danse",
        "il y a 15 ans",
        "j'avais 15 ans quand c'est arrivé",
        "when I was 15 years old",
        "he has 15 girls working",
    ],
)
def test_adult_ages_and_non_ages_do_not_flag_minor(rules: TriageRules, text: str) -> None:
    assert "minor_involved" not in assess(texts=[text], rules=rules).categories


@pytest.mark.parametrize(
    "text", ["JE SUIS EN DANGER", "Je suis en DÂNGER", "Jsuis EnFeRmÉe", "au sécours", "AU SECOURS!!!"]
)
def test_matching_ignores_accents_and_case(rules: TriageRules, text: str) -> None:
    assert assess(texts=[text], rules=rules).priority == "P1"


@pytest.mark.parametrize(
    "text",
    ["je vais mourir de rire", "lol this meme is killing me", "I ran 10 kms today", "pimp my ride is on tv"],
)
def test_jokes_and_lookalikes_do_not_fire(rules: TriageRules, text: str) -> None:
    assert assess(texts=[text], rules=rules).priority == "P3"


def test_defaults_when_nothing_fires(rules: TriageRules) -> None:
    free_text = assess(texts=["bonjour"], rules=rules)
    assert free_text.priority == "P3"
    assert [r.rule_id for r in free_text.reasons] == ["default.free_text"]
    assert free_text.categories == ()
    assert assess(rules=rules).priority == "P4"
    assert assess(texts=["", "   "], rules=rules).priority == "P4"
    assert assess(choices=["tip"], rules=rules).priority == "P3"
    assert assess(choices=["resources"], rules=rules).priority == "P4"


def test_choices_are_case_insensitive_and_unknown_ones_ignored(rules: TriageRules) -> None:
    assert assess(choices=["DANGER "], rules=rules).priority == "P1"
    assert assess(choices=["nonsense"], rules=rules).priority == "P4"


def test_combination_across_choice_and_text(rules: TriageRules) -> None:
    result = assess(choices=["minor"], texts=["mon pimp garde mon argent"], rules=rules)
    assert result.priority == "P1"
    assert result.categories[0] == "minor_involved"


def test_reasons_merge_across_texts_and_keep_first_seen_order(rules: TriageRules) -> None:
    result = assess(texts=["il a un couteau", "a knife and a gun", "il a un couteau"], rules=rules)
    threat = next(r for r in result.reasons if r.rule_id == "danger_threat")
    assert threat.matched == ("couteau", "knife", "gun")


def test_neighbourhood_nuisance_is_p4_and_tip_outranks_it(rules: TriageRules) -> None:
    assert assess(texts=["des condoms usagés dans la ruelle, on est tannés"], rules=rules).priority == "P4"
    assert assess(texts=["I want to report a house on my street"], rules=rules).priority == "P3"
