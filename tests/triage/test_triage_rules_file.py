from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tipline.triage import RuleFileError, assess, check_rules_file, default_rules, load_rules

RULES_FILE = Path(__file__).resolve().parents[2] / "ivr_scripts" / "triage.yaml"

MINIMAL = """
categories:
  immediate_danger:
    label: {fr: "Danger immédiat", en: "Immediate danger"}
rules:
  - id: danger_now
    category: immediate_danger
    priority: P1
    phrases:
      fr: ["en danger"]
      en: ["in danger"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "triage.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_file_is_valid() -> None:
    assert check_rules_file(RULES_FILE) == []


def test_minimal_file_loads(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, MINIMAL))
    assert assess(texts=["je suis en danger"], rules=rules).priority == "P1"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("category: immediate_danger\n", "category: danger_now_typo\n", "unknown category 'danger_now_typo'"),
        ("priority: P1", "priority: P0", "priority 'P0' is not one of P1, P2, P3, P4"),
        ('en: "Immediate danger"', 'de: "Gefahr"', "missing en label"),
        ('fr: ["en danger"]', 'fr: ["en danger", ""]', "phrases.fr #2 is an empty phrase"),
        ('fr: ["en danger"]', 'fr: ["re:(en danger"]', "invalid regular expression"),
        ("phrases:", "phrazes:", "unknown key 'phrazes'"),
    ],
)
def test_broken_file_names_file_rule_and_problem(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    problems = check_rules_file(path)
    assert problems, "the broken file should have been rejected"
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith(str(path)) for problem in problems)
    located = next(p for p in problems if expected in p)
    if "label" not in expected:
        assert "'danger_now'" in located


def test_duplicate_rule_ids_are_reported(tmp_path: Path) -> None:
    duplicate = (
        MINIMAL
        + """
  - id: danger_now
    category: immediate_danger
    priority: P1
    phrases: {fr: ["au secours"], en: ["help me"]}
"""
    )
    with pytest.raises(RuleFileError) as raised:
        load_rules(write(tmp_path, duplicate))
    assert any("rule 'danger_now': duplicate rule id" in p for p in raised.value.problems)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    broken = MINIMAL.replace("priority: P1", "priority: P9").replace('en: ["in danger"]', 'en: [""]')
    problems = check_rules_file(write(tmp_path, broken))
    assert len(problems) == 2


def test_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    assert "cannot read file" in check_rules_file(tmp_path / "missing.yaml")[0]
    assert "not valid YAML" in check_rules_file(write(tmp_path, "rules: [unclosed"))[0]


def test_supervisor_adds_a_word_and_it_fires(tmp_path: Path) -> None:
    copy = tmp_path / "triage.yaml"
    shutil.copy(RULES_FILE, copy)
    message = "il m'a confisqué mes bottes pour que je reste"
    before = assess(texts=[message], rules=load_rules(copy))
    assert "coercive_procuring" not in before.categories

    text = copy.read_text(encoding="utf-8")
    anchor = '      fr: ["pimp*", "proxenete",'
    assert anchor in text
    copy.write_text(text.replace(anchor, '      fr: ["m\'a confisqué mes bottes", "pimp*", "proxenete",'), "utf-8")

    assert check_rules_file(copy) == []
    after = assess(texts=[message], rules=load_rules(copy))
    assert "coercive_procuring" in after.categories
    assert after.priority == "P2"
    reason = next(r for r in after.reasons if r.category == "coercive_procuring")
    assert reason.matched == ("m a confisque mes bottes",)


def test_default_rules_follow_scripts_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, MINIMAL)
    monkeypatch.setenv("TIPLINE_SCRIPTS_DIR", str(tmp_path))
    default_rules.cache_clear()
    try:
        assert default_rules().source == str(tmp_path / "triage.yaml")
        assert assess(texts=["I am in danger"]).priority == "P1"
    finally:
        default_rules.cache_clear()
