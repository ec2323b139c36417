"""The routing policy, as data: the ``policy`` section of ``ivr_scripts/routing.yaml`` (every key optional;
a value that is not a positive whole number stops the line from starting, like a broken script)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from tipline.ivr.scripts import ROUTING_FILE
from tipline.runtime import runtime


@dataclass(frozen=True)
class RoutingPolicy:
    max_wait_seconds: int = 300
    language_wait_seconds: int = 60
    ring_seconds: int = 25
    answer_seconds: int = 30
    misses_before_away: int = 3
    reoffer_after_seconds: int = 60
    recheck_seconds: int = 15

    @property
    def offer_timeout_seconds(self) -> int:
        """An offer nobody settled by then (the handler answered, then hung up without choosing) is missed."""
        return self.ring_seconds + self.answer_seconds + 15


class PolicyError(ValueError):
    pass


def load_policy(path: Path) -> RoutingPolicy:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = raw.get("policy") or {} if isinstance(raw, dict) else {}
    if not isinstance(section, dict):
        raise PolicyError(f"{path.name}: 'policy' must be a mapping")
    known = {field.name for field in fields(RoutingPolicy)}
    problems = [f"{path.name}: policy '{name}' is unknown" for name in section if name not in known]
    values: dict[str, int] = {}
    for name, value in section.items():
        if name in known:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{path.name}: policy '{name}' must be a whole number of at least 1")
            else:
                values[name] = value
    if problems:
        raise PolicyError("; ".join(problems))
    return RoutingPolicy(**values)


def routing_policy() -> RoutingPolicy:
    """The running line's policy, read once."""
    rt = runtime()
    policy = rt.extras.get("routing_policy")
    if policy is None:
        policy = rt.extras["routing_policy"] = load_policy(Path(rt.settings.scripts_dir) / ROUTING_FILE)
    found: RoutingPolicy = policy
    return found
