"""The person on the phone: a script of answers for tests, or a human at the terminal.

Whenever the line waits, the simulator asks the caller for a *token*:

=========================  =================================================================================
at a ``<Gather>``          ``"1"``, ``"1234#"`` (keypad), ``"speech:je suis en danger"``, ``None`` (silence),
                           ``"speech@0.3:danger"`` (recognised with a confidence of 0.3)
at a ``<Record>``          ``"record:12"`` (12 s, ended by silence), ``"record:12:#"`` (ended with a key),
                           ``"record:12:hangup"`` (hangs up after 12 s), ``None`` (says nothing)
at a ``<Dial>``            ``"dial:completed:60"`` (answered, talked 60 s), ``"dial:completed:60:hangup"``
                           (the caller hangs up at the end), ``"dial:no-answer"`` (or ``None``),
                           ``"dial:busy"``, ``"dial:failed"``
in an ``<Enqueue>``        ``"queue:wait"`` / ``"queue:wait:30"`` (or ``None``), ``"queue:bridged:60"``,
                           ``"queue:bridged:60:hangup"``
anywhere                   ``"hangup"``: the caller hangs up
=========================  =================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from tipline.simulate.events import Party, Utterance


class SimulationError(Exception):
    """The simulation cannot go on; the message says why."""


class ScriptExhausted(SimulationError):  # noqa: N818 - reads better in tests
    """The line is waiting for the caller, but the test's script has no answers left."""


class StepBudgetExceeded(SimulationError):  # noqa: N818 - reads better in tests
    """The call ran more steps than allowed: the IVR is probably looping."""


class ScriptError(SimulationError):
    """A script token does not fit what the line is waiting for."""


class UnsupportedTwiml(SimulationError):  # noqa: N818 - reads better in tests
    """Valid TwiML the simulator does not play (``<Connect>``, ``<Conference>``…)."""


@dataclass(frozen=True)
class Prompt:
    """What the line is waiting for."""

    kind: Literal["gather", "record", "dial", "queue"]
    party: Party = "caller"
    inputs: tuple[str, ...] = ()
    num_digits: int | None = None
    finish_on_key: str = ""
    timeout: int = 0
    targets: tuple[str, ...] = ()
    queue: str = ""
    language: str = ""
    hints: str = ""


class Caller(Protocol):
    def respond(self, prompt: Prompt) -> str | None:
        """The token for what the caller does while the line waits."""
        ...

    def hears(self, utterance: Utterance) -> bool:
        """Called for every utterance; return True to hang up while it plays."""
        ...


# --- parsed tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HangUp:
    pass


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class Keys:
    digits: str


@dataclass(frozen=True)
class Speech:
    text: str
    confidence: float = 0.92


@dataclass(frozen=True)
class Recording:
    seconds: int
    ended_by: str | None  # a key, "hangup", or None for silence / maxLength


@dataclass(frozen=True)
class DialOutcome:
    status: str
    seconds: int
    caller_hangs_up: bool


@dataclass(frozen=True)
class QueueEvent:
    action: Literal["wait", "bridged"]
    seconds: int
    caller_hangs_up: bool


Input = HangUp | Silence | Keys | Speech | Recording | DialOutcome | QueueEvent

HANGUP = "hangup"
_KEYS = re.compile(r"^[0-9*#w]+$")
_DIAL_STATUSES = ("completed", "answered", "no-answer", "busy", "failed", "canceled")


def parse_token(prompt: Prompt, token: str | None) -> Input:
    """Read a script token for ``prompt``; raise ``ScriptError`` when it cannot apply there."""
    if token is None or token == "":
        return Silence()
    token = token.strip()
    if token == HANGUP:
        return HangUp()
    head, _, rest = token.partition(":")
    if prompt.kind == "gather":
        if head == "speech" and rest:
            return Speech(rest)
        if head.startswith("speech@") and rest:  # "speech@0.3:danger": a low-confidence recognition
            try:
                return Speech(rest, float(head.removeprefix("speech@")))
            except ValueError:
                pass
        if _KEYS.match(token):
            return Keys(token)
    elif prompt.kind == "record" and head == "record":
        seconds, _, ended_by = rest.partition(":")
        if seconds.isdigit():
            return Recording(int(seconds), ended_by or None)
    elif prompt.kind == "dial" and head == "dial":
        status, _, more = rest.partition(":")
        seconds, _, hangup = more.partition(":")
        if status in _DIAL_STATUSES and (not seconds or seconds.isdigit()) and hangup in ("", "hangup"):
            return DialOutcome(status, int(seconds or 0), hangup == "hangup")
    elif prompt.kind == "queue" and head == "queue":
        action, _, more = rest.partition(":")
        seconds, _, hangup = more.partition(":")
        if action in ("wait", "bridged") and (not seconds or seconds.isdigit()) and hangup in ("", "hangup"):
            default = 15 if action == "wait" else 0
            kind: Literal["wait", "bridged"] = "wait" if action == "wait" else "bridged"
            return QueueEvent(kind, int(seconds or default), bool(hangup))
    raise ScriptError(f"{token!r} is not something a caller can do at a {prompt.kind} prompt ({prompt})")


# --- callers ------------------------------------------------------------------------------------------


@dataclass
class ScriptedCaller:
    """Answers from a list, in order; fails loudly when the line waits and the list is empty."""

    responses: list[str | None]
    hang_up_on_hearing: str | None = None
    prompts: list[Prompt] = field(default_factory=list)

    def respond(self, prompt: Prompt) -> str | None:
        self.prompts.append(prompt)
        if not self.responses:
            raise ScriptExhausted(f"the line is waiting ({prompt}) but the script has no answers left")
        return self.responses.pop(0)

    def hears(self, utterance: Utterance) -> bool:
        return bool(self.hang_up_on_hearing) and str(self.hang_up_on_hearing) in utterance.text


class FunctionCaller:
    """Wrap a plain ``prompt -> token`` callable."""

    def __init__(self, function: Callable[[Prompt], str | None]) -> None:
        self.function = function

    def respond(self, prompt: Prompt) -> str | None:
        return self.function(prompt)

    def hears(self, utterance: Utterance) -> bool:
        return False


def as_caller(script: Caller | Iterable[str | None] | Callable[[Prompt], str | None]) -> Caller:
    if hasattr(script, "respond") and hasattr(script, "hears"):
        return script  # type: ignore[return-value]
    if callable(script):
        return FunctionCaller(script)
    return ScriptedCaller(list(script))


_INTERACTIVE_HELP = {
    "gather": 'keys (1, 123#), s: text or "text" to speak, empty line = silence, h = hang up',
    "record": "r 10 = speak 10 s (r 10 # = then press #, r 10 h = then hang up), empty = silence, h = hangup",
    "dial": "a 60 = answered, talk 60 s, n = no answer, b = busy, f = failed, h = hang up",
    "queue": "empty = keep waiting, b 60 = an agent takes the call, talk 60 s, h = hang up",
}


class InteractiveCaller:
    """A human at the terminal; translates short commands into script tokens."""

    def __init__(
        self,
        read: Callable[[str], str] = input,
        write: Callable[[str], None] = print,
    ) -> None:
        self.read = read
        self.write = write

    def hears(self, utterance: Utterance) -> bool:
        return False

    def respond(self, prompt: Prompt) -> str | None:
        who = "" if prompt.party == "caller" else " (you are the called party)"
        self.write(f"… {prompt.kind}{who}: {_INTERACTIVE_HELP[prompt.kind]}")
        while True:
            try:
                line = self.read("> ").strip()
            except EOFError:
                return "hangup"
            token = interactive_token(prompt, line)
            try:
                parse_token(prompt, token)
            except ScriptError as error:
                self.write(f"  ? {error}")
                continue
            return token


def interactive_token(prompt: Prompt, line: str) -> str | None:
    if not line:
        return None
    if line.lower() in ("h", "hangup", "q"):
        return "hangup"
    words = line.split()
    if prompt.kind == "gather":
        if line.startswith('"') and line.endswith('"') and len(line) > 1:
            return f"speech:{line[1:-1]}"
        if line.lower().startswith("s:"):
            return f"speech:{line[2:].strip()}"
        return line.replace(" ", "")
    if prompt.kind == "record" and words[0] == "r" and len(words) >= 2:
        end = {"h": "hangup"}.get(words[2], words[2]) if len(words) > 2 else ""
        return f"record:{words[1]}" + (f":{end}" if end else "")
    if prompt.kind == "dial":
        if words[0] == "a":
            return f"dial:completed:{words[1] if len(words) > 1 else 60}"
        return {"n": "dial:no-answer", "b": "dial:busy", "f": "dial:failed"}.get(words[0], line)
    if prompt.kind == "queue" and words[0] == "b":
        return f"queue:bridged:{words[1] if len(words) > 1 else 60}"
    return line
