"""A loaded script, as typed, immutable data. Built by `loader.load_script`; read by `engine.step`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Channel = Literal["voice", "sms"]
InputMode = Literal["dtmf", "speech"]


@dataclass(frozen=True)
class LocalPrompt:
    """One language of a prompt: text to speak (a template) or an audio file to play."""

    text: str | None = None
    play: str | None = None


@dataclass(frozen=True)
class Prompt:
    """A prompt in every script language (`fr`, `en`)."""

    by_lang: Mapping[str, LocalPrompt]

    def get(self, lang: str) -> LocalPrompt:
        return self.by_lang[lang]


@dataclass(frozen=True)
class VoiceSpec:
    """How one script language sounds: <Say language/voice> and the <Gather> speech language."""

    language: str
    voice: str | None
    speech_language: str


@dataclass(frozen=True)
class Option:
    """A choice in a menu: a key, words per language, what it records and where it leads."""

    digit: str | None
    words: Mapping[str, tuple[str, ...]]
    label: Mapping[str, str]
    flags: tuple[str, ...] = ()
    set_vars: Mapping[str, str] = field(default_factory=dict)
    goto: str | None = None
    repeat: bool = False


@dataclass(frozen=True)
class Defaults:
    voices: Mapping[str, VoiceSpec]
    timeout_s: int
    retries: int
    min_confidence: float
    input_modes: tuple[InputMode, ...]
    no_input: Prompt
    no_match: Prompt
    confirm: Prompt
    yes_words: Mapping[str, tuple[str, ...]]
    no_words: Mapping[str, tuple[str, ...]]
    global_options: tuple[Option, ...]
    vars: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class NodeBase:
    id: str
    flags: tuple[str, ...]
    max_visits: int | None
    on_max_visits: str | None


@dataclass(frozen=True)
class LanguageNode(NodeBase):
    """Choose French or English; after the retries, continue in `fallback`."""

    prompt: Prompt
    choices: Mapping[str, Option]
    goto: str
    retries: int
    fallback: str
    timeout_s: int


@dataclass(frozen=True)
class MenuNode(NodeBase):
    prompt: Prompt
    options: tuple[Option, ...]
    retries: int
    on_fail: str
    retry_prompt: Prompt | None
    input_modes: tuple[InputMode, ...]
    use_global_options: bool
    timeout_s: int


@dataclass(frozen=True)
class SayNode(NodeBase):
    prompt: Prompt
    goto: str


@dataclass(frozen=True)
class RecordNode(NodeBase):
    prompt: Prompt
    save_as: str
    max_length_s: int
    finish_key: str
    goto: str
    retries: int
    on_fail: str
    retry_prompt: Prompt | None


@dataclass(frozen=True)
class DigitsNode(NodeBase):
    prompt: Prompt
    save_as: str
    min_length: int
    max_length: int
    finish_key: str
    goto: str
    retries: int
    on_fail: str
    retry_prompt: Prompt | None
    input_modes: tuple[InputMode, ...]
    timeout_s: int


@dataclass(frozen=True)
class CollectNode(NodeBase):
    """SMS: gather free text over several messages until an end word (or the adapter's idle event)."""

    prompt: Prompt
    save_as: str
    end_words: Mapping[str, tuple[str, ...]]
    ack: Prompt | None
    goto: str
    empty: str


@dataclass(frozen=True)
class EffectNode(NodeBase):
    prompt: Prompt | None
    effect: str
    args: Mapping[str, str]
    results: Mapping[str, str]
    on_fail: str
    clear: tuple[str, ...]


@dataclass(frozen=True)
class ResourcesNode(NodeBase):
    prompt: Prompt | None
    categories: tuple[str, ...]
    goto: str


@dataclass(frozen=True)
class HandoffNode(NodeBase):
    prompt: Prompt | None


@dataclass(frozen=True)
class GoodbyeNode(NodeBase):
    prompt: Prompt


Node = (
    LanguageNode
    | MenuNode
    | SayNode
    | RecordNode
    | DigitsNode
    | CollectNode
    | EffectNode
    | ResourcesNode
    | HandoffNode
    | GoodbyeNode
)

TERMINAL_KINDS: tuple[type[NodeBase], ...] = (HandoffNode, GoodbyeNode)
# Nodes that pass straight through to `goto` without waiting for the caller or the adapter.
PASS_THROUGH_KINDS: tuple[type[NodeBase], ...] = (SayNode, ResourcesNode)


@dataclass(frozen=True)
class Resource:
    """One entry of the help directory (resources.yaml)."""

    id: str
    categories: tuple[str, ...]
    name: Mapping[str, str]
    sms_name: Mapping[str, str]
    phone: str
    text_number: str | None
    hours: Mapping[str, str]
    police: bool
    status: str


@dataclass(frozen=True)
class Script:
    file: str
    channel: Channel
    version: int
    start: str
    defaults: Defaults
    nodes: Mapping[str, Node]
    keywords: Mapping[str, Mapping[str, tuple[str, ...]]]
    resources: tuple[Resource, ...] = ()

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]
