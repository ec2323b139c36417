"""The escalation policy is data (``ivr_scripts/escalation.yaml``): steps, targets, channels, delays, a repeat
count, the rate limit, and the bilingual alert wording. Checked like the other scripts: every problem names the
file and the step."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

POLICY_FILE = "escalation.yaml"
LANGS = ("fr", "en")
TARGETS = ("esup_on_call", "esup_next", "supervisor_on_duty")
CHANNELS = ("sms", "voice")
MAX_REPEAT = 10
TOP_LEVEL_KEYS = frozenset(
    {"version", "repeat", "steps", "rate_limit", "in_doubt_minutes", "voices", "languages", "messages"}
)
STEP_KEYS = frozenset({"name", "targets", "channels", "delay_minutes"})
# Each text and the placeholders it may use. Nothing that could carry the caller's number or words.
MESSAGES: dict[str, frozenset[str]] = {
    "sms_alert": frozenset({"priority", "reference", "categories", "caller_language", "console_url", "code"}),
    "voice_alert": frozenset({"priority", "reference", "categories", "caller_language"}),
    "voice_press_one": frozenset(),
    "voice_no_input": frozenset(),
    "voice_error": frozenset(),
    "ack_confirmed": frozenset({"code", "name", "time", "reference", "console_url"}),
    "already_acknowledged": frozenset({"code", "name", "time"}),
    "unknown_code": frozenset(),
    "not_allowed": frozenset(),
}
LANGUAGE_NAMES = ("fr", "en", "unknown")


class PolicyError(ValueError):
    """The policy file cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    name: str
    targets: tuple[str, ...]
    channels: tuple[str, ...]
    delay: timedelta

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "targets": list(self.targets),
            "channels": list(self.channels),
            "delay_seconds": int(self.delay.total_seconds()),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Step:
        return cls(
            name=str(raw["name"]),
            targets=tuple(raw["targets"]),
            channels=tuple(raw["channels"]),
            delay=timedelta(seconds=int(raw["delay_seconds"])),
        )


@dataclass(frozen=True)
class Plan:
    """The steps an escalation follows, frozen when it starts (a policy edit never reshuffles a running chain)."""

    steps: tuple[Step, ...]
    repeat: int

    @property
    def total(self) -> int:
        return len(self.steps) * (self.repeat + 1)

    def step(self, number: int) -> Step:
        """Step ``number`` counted across repeats (0, 1, … total-1)."""
        return self.steps[number % len(self.steps)]

    def to_dict(self) -> dict[str, Any]:
        return {"repeat": self.repeat, "steps": [step.to_dict() for step in self.steps]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Plan:
        return cls(steps=tuple(Step.from_dict(step) for step in raw["steps"]), repeat=int(raw["repeat"]))


@dataclass(frozen=True)
class Policy:
    plan: Plan
    rate_limit_max: int
    rate_limit_window: timedelta
    in_doubt_after: timedelta
    voices: dict[str, tuple[str, str]]  # lang -> (Say language, voice)
    language_names: dict[str, dict[str, str]]  # caller language -> reader's language -> name
    messages: dict[str, dict[str, str]]

    def text(self, message: str, lang: str | None, /, **values: str) -> str:
        templates = self.messages[message]
        return templates[lang if lang in LANGS else "fr"].format(**values)

    def language_name(self, caller_language: str | None, reader: str) -> str:
        names = self.language_names.get(caller_language or "unknown", self.language_names["unknown"])
        return names[reader if reader in LANGS else "fr"]


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _problems_in(raw: Any, name: str) -> list[str]:
    if not isinstance(raw, dict):
        return [f"{name}: must be a mapping with 'steps' and 'messages'"]
    problems = [f"{name}: unknown key '{key}'" for key in sorted(set(raw) - TOP_LEVEL_KEYS)]
    repeat = raw.get("repeat", 0)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or not 0 <= repeat <= MAX_REPEAT:
        problems.append(f"{name}: repeat must be a whole number from 0 to {MAX_REPEAT}")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.append(f"{name}: 'steps' must be a non-empty list")
        steps = []
    for index, step in enumerate(steps, start=1):
        problems += _step_problems(step, f"{name}: step {index}")
    limit = raw.get("rate_limit", {})
    if not isinstance(limit, dict) or not all(
        isinstance(limit.get(key), int) and limit[key] > 0 for key in ("max_alerts", "per_minutes")
    ):
        problems.append(f"{name}: rate_limit needs max_alerts and per_minutes, positive whole numbers")
    in_doubt = raw.get("in_doubt_minutes", 2)
    if not isinstance(in_doubt, int | float) or in_doubt <= 0:
        problems.append(f"{name}: in_doubt_minutes must be a positive number")
    voices = raw.get("voices")
    for lang in LANGS:
        voice = voices.get(lang) if isinstance(voices, dict) else None
        if not isinstance(voice, dict) or not str(voice.get("language", "")).strip():
            problems.append(f"{name}: voices.{lang} needs a language")
    languages = raw.get("languages")
    for key in LANGUAGE_NAMES:
        names = languages.get(key) if isinstance(languages, dict) else None
        for lang in LANGS:
            if not isinstance(names, dict) or not str(names.get(lang, "")).strip():
                problems.append(f"{name}: languages.{key} has no {lang} text")
    problems += _message_problems(raw.get("messages"), name)
    return problems


def _step_problems(step: Any, where: str) -> list[str]:
    if not isinstance(step, dict):
        return [f"{where}: must be a mapping with targets, channels and delay_minutes"]
    problems = [f"{where}: unknown key '{key}'" for key in sorted(set(step) - STEP_KEYS)]
    targets = step.get("targets")
    if not isinstance(targets, list) or not targets:
        problems.append(f"{where}: 'targets' must be a non-empty list")
    else:
        problems += [
            f"{where}: unknown target '{t}' (known: {', '.join(TARGETS)})" for t in targets if t not in TARGETS
        ]
    channels = step.get("channels")
    if not isinstance(channels, list) or not channels:
        problems.append(f"{where}: 'channels' must be a non-empty list")
    else:
        problems += [
            f"{where}: unknown channel '{c}' (known: {', '.join(CHANNELS)})" for c in channels if c not in CHANNELS
        ]
        if len(set(map(str, channels))) != len(channels):
            problems.append(f"{where}: a channel is listed twice")
    delay = step.get("delay_minutes")
    if not isinstance(delay, int | float) or isinstance(delay, bool):
        problems.append(f"{where}: delay_minutes is required (a number of minutes)")
    elif delay < 0:
        problems.append(f"{where}: delay_minutes must not be negative")
    return problems


def _message_problems(messages: Any, name: str) -> list[str]:
    if not isinstance(messages, dict):
        return [f"{name}: a 'messages' section is required"]
    problems = [f"{name}: message '{key}' is unknown" for key in sorted(set(messages) - set(MESSAGES))]
    for key, allowed in MESSAGES.items():
        texts = messages.get(key)
        if texts is None:
            problems.append(f"{name}: message '{key}' is missing")
            continue
        found: dict[str, set[str]] = {}
        for lang in LANGS:
            text = texts.get(lang) if isinstance(texts, dict) else None
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{name}: message '{key}' has no {lang} text")
                continue
            try:
                found[lang] = _placeholders(text)
            except ValueError:
                problems.append(f"{name}: message '{key}' ({lang}) has a stray brace")
                continue
            unknown = sorted(found[lang] - allowed)
            if unknown:
                problems.append(f"{name}: message '{key}' ({lang}) uses unknown placeholder(s) {', '.join(unknown)}")
        if len(found) == len(LANGS) and found["fr"] != found["en"]:
            problems.append(f"{name}: message '{key}' has different placeholders in fr and en")
    return problems


def _read(path: Path) -> tuple[Any, list[str]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except (OSError, yaml.YAMLError) as error:
        return None, [f"{path.name}: cannot be read ({type(error).__name__})"]


def check_policy_file(path: Path) -> list[str]:
    """Every problem in the policy file (empty when it may be used)."""
    raw, problems = _read(path)
    return problems or _problems_in(raw, path.name)


def load_policy(path: Path) -> Policy:
    raw, problems = _read(path)
    problems = problems or _problems_in(raw, path.name)
    if problems:
        raise PolicyError(problems)
    steps = tuple(
        Step(
            name=str(step.get("name") or f"step_{index}"),
            targets=tuple(step["targets"]),
            channels=tuple(step["channels"]),
            delay=timedelta(minutes=step["delay_minutes"]),
        )
        for index, step in enumerate(raw["steps"], start=1)
    )
    limit = raw.get("rate_limit", {})
    return Policy(
        plan=Plan(steps=steps, repeat=int(raw.get("repeat", 0))),
        rate_limit_max=int(limit["max_alerts"]),
        rate_limit_window=timedelta(minutes=limit["per_minutes"]),
        in_doubt_after=timedelta(minutes=raw.get("in_doubt_minutes", 2)),
        voices={
            lang: (str(raw["voices"][lang]["language"]), str(raw["voices"][lang].get("voice") or "")) for lang in LANGS
        },
        language_names={
            key: {lang: str(raw["languages"][key][lang]).strip() for lang in LANGS} for key in LANGUAGE_NAMES
        },
        messages={key: {lang: " ".join(str(raw["messages"][key][lang]).split()) for lang in LANGS} for key in MESSAGES},
    )


def policy() -> Policy:
    """The running app's policy, loaded once (``check_all`` already refused a broken file at start)."""
    from tipline.runtime import runtime

    rt = runtime()
    found = rt.extras.get("escalation_policy")
    if found is None:
        found = rt.extras["escalation_policy"] = load_policy(Path(rt.settings.scripts_dir) / POLICY_FILE)
    assert isinstance(found, Policy)
    return found
