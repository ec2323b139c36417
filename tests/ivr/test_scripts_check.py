"""A supervisor edits a script, runs the check; a broken script never reaches callers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support import settings_for
from tipline import create_app
from tipline.cli import scripts_cli
from tipline.config import PROJECT_ROOT
from tipline.flows import ScriptError


@pytest.fixture
def scripts_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ivr_scripts"
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", target)
    return target


def test_the_shipped_scripts_pass_the_check() -> None:
    result = CliRunner().invoke(scripts_cli, ["check", "--dir", str(PROJECT_ROOT / "ivr_scripts")])
    assert result.exit_code == 0, result.output
    assert "every script is valid" in result.output


def test_the_check_names_the_file_the_node_and_the_problem(scripts_copy: Path) -> None:
    voice = scripts_copy / "voice.yaml"
    voice.write_text(voice.read_text(encoding="utf-8").replace("goto: tip_anonymous", "goto: nulle_part", 1))
    routing = scripts_copy / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8").replace('    en: "Thank you for calling. Goodbye."\n', ""))
    result = CliRunner().invoke(scripts_cli, ["check", "--dir", str(scripts_copy)])
    assert result.exit_code == 1
    assert "voice.yaml: node 'main_menu'" in result.output and "nulle_part" in result.output
    assert "routing.yaml: prompt 'call_ended' has no en text" in result.output


def test_the_app_refuses_to_start_with_a_broken_script(tmp_path: Path, scripts_copy: Path) -> None:
    (scripts_copy / "sms.yaml").write_text("version: 1\nnodes: {}\n", encoding="utf-8")
    with pytest.raises(ScriptError):
        create_app(settings_for(tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}", scripts_dir=str(scripts_copy)))


def test_a_new_word_in_a_triage_lexicon_takes_effect(tmp_path: Path, scripts_copy: Path) -> None:
    from tipline.triage import assess, load_rules

    rules_file = scripts_copy / "triage.yaml"
    before = assess(texts=["il y a du grabuge au dépanneur"], rules=load_rules(rules_file))
    assert "neighbourhood_coexistence" not in before.categories
    text = rules_file.read_text(encoding="utf-8")
    marker = '      fr: ["ma rue", "notre rue",'
    assert marker in text
    rules_file.write_text(text.replace(marker, '      fr: ["grabuge", "ma rue", "notre rue",', 1), encoding="utf-8")
    result = CliRunner().invoke(scripts_cli, ["check", "--dir", str(scripts_copy)])
    assert result.exit_code == 0, result.output
    after = assess(texts=["il y a du grabuge au dépanneur"], rules=load_rules(rules_file))
    assert "neighbourhood_coexistence" in after.categories
    assert any("grabuge" in reason.matched for reason in after.reasons)


def test_a_keyword_reply_that_names_the_police_is_refused(scripts_copy: Path) -> None:
    sms = scripts_copy / "sms.yaml"
    text = sms.read_text(encoding="utf-8")
    marker = "Ligne d'aide confidentielle 24 h sur 24."
    assert marker in text
    sms.write_text(text.replace(marker, "Ligne de la police, confidentielle."), encoding="utf-8")
    result = CliRunner().invoke(scripts_cli, ["check", "--dir", str(scripts_copy)])
    assert result.exit_code == 1
    assert "defaults.vars.help_text.fr: texts must use neutral words; remove police" in result.output
