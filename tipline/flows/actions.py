"""What the engine asks the adapter to do. Pure data: the adapter renders TwiML or SMS replies from these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Say:
    """Speak `text`. `language` is the <Say language> tag, `voice` the <Say voice> (None: Twilio's default)."""

    text: str
    lang: str
    voice: str | None
    language: str


@dataclass(frozen=True)
class Play:
    url: str
    lang: str


Spoken = Say | Play


@dataclass(frozen=True)
class Ask:
    """Speak `prompts` inside a <Gather> that posts back to the step URL.

    After the <Gather>, the adapter adds a redirect that posts `event=no_input`. `finish_on_key` "" means no
    finish key (every key is an answer); `num_digits` None means no fixed length.
    """

    prompts: tuple[Spoken, ...]
    input_modes: tuple[str, ...]
    num_digits: int | None
    finish_on_key: str
    timeout_s: int
    hints: tuple[str, ...]
    lang: str
    speech_language: str


@dataclass(frozen=True)
class Record:
    """Speak `prompt`, then <Record>; the adapter posts `recording_done` (data: recording_url, …) or `no_input`."""

    prompt: tuple[Spoken, ...]
    max_length_s: int
    finish_on_key: str
    lang: str


@dataclass(frozen=True)
class HandOff:
    """Put the person through to a human now. Routing (not the flow) picks Dial, Enqueue or voicemail."""

    flags: tuple[str, ...]
    lang: str


@dataclass(frozen=True)
class Effect:
    """A side effect for the adapter; it answers with `FlowInput(event="effect_result", data={"result": …})`."""

    name: str
    args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """One SMS reply (≤ 320 characters in the default script)."""

    text: str
    lang: str


@dataclass(frozen=True)
class Hangup:
    pass


Action = Say | Play | Ask | Record | HandOff | Effect | Reply | Hangup
