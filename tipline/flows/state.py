"""The per-call (or per-conversation) state of a flow, and what comes in. Both are JSON-serialisable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tipline.flows.model import Script

EVENTS = frozenset({"start", "input", "no_input", "effect_result", "recording_done", "idle"})


@dataclass(frozen=True)
class FlowInput:
    """One thing that happened.

    event: "start" (first request), "input" (digits/speech from a <Gather>, or an SMS `text`), "no_input"
    (the <Gather>/<Record> ended with nothing), "effect_result" (`data["result"]` plus result data),
    "recording_done" (`data["recording_url"]`), "idle" (SMS: the texter stopped writing during a collect).
    Other events (e.g. "dial_done") are the adapter's business: `step` returns no actions for them.
    """

    event: str
    digits: str | None = None
    speech: str | None = None
    confidence: float | None = None
    text: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """A low-confidence speech match waiting for "yes/no" before it is acted on."""

    option: int  # index into the node's options (negative: -1-index into global options)
    heard: str

    def to_json(self) -> dict[str, Any]:
        return {"option": self.option, "heard": self.heard}


@dataclass(frozen=True)
class FlowState:
    node: str
    lang: str | None = None
    retries: int = 0
    vars: Mapping[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    visits: Mapping[str, int] = field(default_factory=dict)
    pending: Pending | None = None
    collected: int = 0  # SMS collect: messages received in the current collect node

    @classmethod
    def start(cls, script: Script, vars: Mapping[str, str] | None = None) -> FlowState:
        return cls(node=script.start, vars=dict(vars or {}))

    def with_flags(self, *flags: str) -> FlowState:
        merged = self.flags + tuple(f for f in dict.fromkeys(flags) if f not in self.flags)
        return replace(self, flags=merged)

    def with_vars(self, **values: str) -> FlowState:
        return replace(self, vars={**self.vars, **values})

    def to_json(self) -> str:
        return json.dumps(
            {
                "node": self.node,
                "lang": self.lang,
                "retries": self.retries,
                "vars": dict(self.vars),
                "flags": list(self.flags),
                "visits": dict(self.visits),
                "pending": self.pending.to_json() if self.pending else None,
                "collected": self.collected,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str) -> FlowState:
        data = json.loads(raw)
        pending = data.get("pending")
        return cls(
            node=str(data["node"]),
            lang=data.get("lang"),
            retries=int(data.get("retries", 0)),
            vars={str(k): str(v) for k, v in data.get("vars", {}).items()},
            flags=tuple(str(f) for f in data.get("flags", [])),
            visits={str(k): int(v) for k, v in data.get("visits", {}).items()},
            pending=Pending(option=int(pending["option"]), heard=str(pending["heard"])) if pending else None,
            collected=int(data.get("collected", 0)),
        )
