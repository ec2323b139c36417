"""The scripts a running line uses, loaded and validated once at start-up: the app refuses to start with a
broken one, so a broken script never reaches callers. ``tipline scripts check`` runs the same checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import Flask

from tipline.escalation.policy import POLICY_FILE, check_policy_file
from tipline.flows import Problem, Script, ScriptError, check_scripts, load_script
from tipline.runtime import runtime
from tipline.triage import RuleFileError, TriageRules, check_rules_file, load_rules

ROUTING_FILE = "routing.yaml"
LANGS = ("fr", "en")
ROUTING_PROMPTS = (
    "nobody_free",
    "leave_message",
    "message_saved",
    "no_message",
    "call_ended",
    "queue_welcome",
    "queue_position",
    "queue_next",
    "queue_still_waiting",
    "queue_leave_option",
    "queue_connecting",
    "callback_offer",
    "callback_when",
    "callback_booked",
    "whisper_offer",
    "whisper_choose",
    "whisper_connecting",
    "whisper_gone",
    "whisper_declined",
    "language_fr",
    "language_en",
    "no_category",
    "callback_intro",
    "callback_no_answer",
)


@dataclass(frozen=True)
class Scripts:
    voice: Script
    sms: Script
    triage: TriageRules
    routing: dict[str, dict[str, str]]

    def routing_prompt(self, name: str, lang: str | None) -> str:
        return self.routing[name][lang if lang in LANGS else "fr"]


def check_routing_file(path: Path) -> list[str]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return [f"{path.name}: cannot be read ({type(error).__name__})"]
    prompts = raw.get("prompts") if isinstance(raw, dict) else None
    if not isinstance(prompts, dict):
        return [f"{path.name}: a 'prompts' section is required"]
    problems = [f"{path.name}: prompt '{name}' is missing" for name in ROUTING_PROMPTS if name not in prompts]
    for name, texts in prompts.items():
        if name not in ROUTING_PROMPTS:
            problems.append(f"{path.name}: prompt '{name}' is unknown")
            continue
        for lang in LANGS:
            if not isinstance(texts, dict) or not str(texts.get(lang, "")).strip():
                problems.append(f"{path.name}: prompt '{name}' has no {lang} text")
    return problems


def check_routing_policy(path: Path) -> list[str]:
    from tipline.routing.policy import PolicyError, load_policy

    try:
        load_policy(path)
    except (PolicyError, OSError, yaml.YAMLError) as error:
        return str(error).split("; ")
    return []


def check_all(directory: Path) -> list[str]:
    """Every problem in every script file of ``directory`` (empty when the line may start)."""
    problems = [str(problem) for problem in check_scripts(directory)]
    problems += check_rules_file(directory / "triage.yaml")
    problems += check_routing_file(directory / ROUTING_FILE)
    problems += check_routing_policy(directory / ROUTING_FILE)
    problems += check_policy_file(directory / POLICY_FILE)
    return problems


def load_all(directory: Path) -> Scripts:
    problems = check_all(directory)
    if problems:
        raise ScriptError([Problem(directory.name, None, problem) for problem in problems])
    try:
        triage = load_rules(directory / "triage.yaml")
    except RuleFileError as error:  # checked above; kept for a file changed between check and load
        raise ScriptError([Problem("triage.yaml", None, str(error))]) from error
    routing = yaml.safe_load((directory / ROUTING_FILE).read_text(encoding="utf-8"))["prompts"]
    return Scripts(
        voice=load_script(directory / "voice.yaml"),
        sms=load_script(directory / "sms.yaml"),
        triage=triage,
        routing={name: {lang: str(texts[lang]).strip() for lang in LANGS} for name, texts in routing.items()},
    )


def init_app(app: Flask) -> None:
    runtime(app).extras["scripts"] = load_all(Path(runtime(app).settings.scripts_dir))


def scripts() -> Scripts:
    found: Scripts = runtime().extras["scripts"]
    return found
