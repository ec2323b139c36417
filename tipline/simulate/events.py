"""What happened during a simulated call, step by step, so tests can assert on what the caller heard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Party = Literal["caller", "callee"]


@dataclass(frozen=True)
class Utterance:
    """Something played on the line: ``<Say>`` text, a ``<Play>`` URL, a ``<Pause>``, a beep, hold music."""

    text: str
    language: str = "en-US"
    voice: str = ""
    kind: Literal["say", "play", "pause", "beep", "hold"] = "say"
    loop: int = 1
    party: Party = "caller"

    def __str__(self) -> str:
        if self.kind == "say":
            label = " ".join(part for part in (self.language, self.voice) if part)
            return f"[{label}] {self.text}"
        return f"({self.kind}: {self.text})"


@dataclass(frozen=True)
class Prompted:
    """The line waited for the caller (or the called party) and got ``response`` (a script token)."""

    kind: Literal["gather", "record", "dial", "queue"]
    response: str | None
    party: Party = "caller"
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Posted:
    """A webhook the simulated Twilio requested, and the application's HTTP status."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    status: int
    purpose: str = "document"

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


@dataclass(frozen=True)
class Dialled:
    targets: tuple[str, ...]
    noun: str
    status: str
    duration: int
    caller_id: str = ""


@dataclass(frozen=True)
class Recorded:
    sid: str
    url: str
    duration: int
    digits: str | None


@dataclass(frozen=True)
class Queued:
    name: str
    result: str
    queue_time: int


@dataclass(frozen=True)
class Hungup:
    """The call ended: ``by`` the caller, the application (``<Hangup>``, ``<Reject>``, end of document) or an
    application error; ``status`` is the final ``CallStatus``."""

    by: Literal["caller", "application", "error"]
    reason: str
    status: str
    duration: int


@dataclass(frozen=True)
class AppError:
    """Twilio could not use an answer; a real caller would hear "an application error has occurred"."""

    url: str
    code: int
    detail: str


Event = Utterance | Prompted | Posted | Dialled | Recorded | Queued | Hungup | AppError
