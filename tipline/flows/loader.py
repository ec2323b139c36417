"""Reading scripts: YAML → `model.Script`, collecting every structural problem on the way.

Structural checks live here (unknown keys, types, missing translations, voices); checks that need the
whole script (targets, reachability, dead ends, variables) live in `validate.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tipline.flows.catalog import DEFAULT_LANG, DTMF_KEYS, LANGS, LANGUAGE_TAGS, VOICES
from tipline.flows.errors import Problem
from tipline.flows.model import (
    Channel,
    CollectNode,
    Defaults,
    DigitsNode,
    EffectNode,
    GoodbyeNode,
    HandoffNode,
    InputMode,
    LanguageNode,
    LocalPrompt,
    MenuNode,
    Node,
    Option,
    Prompt,
    RecordNode,
    Resource,
    ResourcesNode,
    SayNode,
    Script,
    VoiceSpec,
)

T = TypeVar("T")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"^https?://\S+$")


class _StrictLoader(yaml.SafeLoader):
    """YAML 1.2-ish booleans (only true/false) and no duplicate keys.

    PyYAML follows YAML 1.1, where `yes`, `no`, `on` and `off` are booleans: a supervisor who lists the word
    "yes" as an answer would silently get `True`. A duplicated node id would silently replace the first.
    """


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse a YAML file strictly; a syntax error becomes a Problem rather than an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(path.name, None, f"cannot read file: {exc.strerror or exc}")]
    try:
        return yaml.load(text, Loader=_StrictLoader), []  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        return None, [Problem(path.name, None, f"invalid YAML: {exc}")]


class Reader:
    """Typed access to raw YAML data that records problems instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, node, message))

    def mapping(
        self,
        raw: object,
        node: str | None,
        what: str,
        *,
        allowed: AbstractSet[str],
        required: AbstractSet[str] = frozenset(),
    ) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.problem(node, f"{what} must be a mapping (key: value), not {_kind(raw)}")
            return None
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if not isinstance(key, str):
                self.problem(node, f"{what}: key {key!r} must be text")
                continue
            if key not in allowed:
                self.problem(node, f"{what}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
                continue
            out[key] = value
        for key in sorted(required - out.keys()):
            if key not in raw:
                self.problem(node, f"{what}: missing '{key}'")
        return out

    def text(self, raw: object, node: str | None, what: str) -> str | None:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.problem(node, f"{what} must be text, not {_kind(raw)}")
            return None
        value = str(raw).strip()
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        return value

    def name(self, raw: object, node: str | None, what: str) -> str | None:
        value = self.text(raw, node, what)
        if value is not None and not _NAME.match(value):
            self.problem(node, f"{what} '{value}' must be lower-case letters, digits and _")
            return None
        return value

    def integer(self, raw: object, node: str | None, what: str, *, minimum: int) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.problem(node, f"{what} must be a whole number, not {_kind(raw)}")
            return None
        if raw < minimum:
            self.problem(node, f"{what} must be at least {minimum}, not {raw}")
            return None
        return raw

    def number(self, raw: object, node: str | None, what: str, *, low: float, high: float) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.problem(node, f"{what} must be a number, not {_kind(raw)}")
            return None
        if not low <= float(raw) <= high:
            self.problem(node, f"{what} must be between {low} and {high}, not {raw}")
            return None
        return float(raw)

    def boolean(self, raw: object, node: str | None, what: str) -> bool | None:
        if not isinstance(raw, bool):
            self.problem(node, f"{what} must be true or false, not {_kind(raw)}")
            return None
        return raw

    def text_list(self, raw: object, node: str | None, what: str) -> tuple[str, ...] | None:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.problem(node, f"{what} must be a list, not {_kind(raw)}")
            return None
        items = [self.text(item, node, f"{what} item") for item in raw]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)

    def per_lang(
        self, raw: object, node: str | None, what: str, read: Callable[[object, str], T | None]
    ) -> dict[str, T] | None:
        """A value given once per script language: `{fr: …, en: …}`. A missing language is an error."""
        data = self.mapping(raw, node, what, allowed=set(LANGS))
        if data is None:
            return None
        out: dict[str, T] = {}
        for lang in LANGS:
            if lang not in data:
                self.problem(node, f"{what}: missing the '{lang}' translation")
                continue
            value = read(data[lang], f"{what}.{lang}")
            if value is not None:
                out[lang] = value
        return out if len(out) == len(LANGS) else None

    def per_lang_text(self, raw: object, node: str | None, what: str) -> dict[str, str] | None:
        return self.per_lang(raw, node, what, lambda value, where: self.text(value, node, where))

    def prompt(self, raw: object, node: str | None, what: str = "prompt") -> Prompt | None:
        def local(value: object, where: str) -> LocalPrompt | None:
            if isinstance(value, dict):
                data = self.mapping(value, node, where, allowed={"play"}, required={"play"})
                if data is None or "play" not in data:
                    return None
                url = self.text(data["play"], node, f"{where}.play")
                if url is not None and not _URL.match(url):
                    self.problem(node, f"{where}.play must be an http(s) URL")
                    return None
                return LocalPrompt(play=url) if url else None
            text = self.text(value, node, where)
            return LocalPrompt(text=text) if text else None

        by_lang = self.per_lang(raw, node, what, local)
        return Prompt(by_lang) if by_lang is not None else None

    def words(self, raw: object, node: str | None, what: str) -> dict[str, tuple[str, ...]] | None:
        return self.per_lang(raw, node, what, lambda value, where: self.text_list(value, node, where))

    def digit(self, raw: object, node: str | None, what: str) -> str | None:
        value = self.text(raw, node, what)
        if value is not None and value not in DTMF_KEYS:
            self.problem(node, f"{what} '{value}' is not a phone key (0-9, * or #)")
            return None
        return value


def _kind(raw: object) -> str:
    if raw is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(type(raw), type(raw).__name__)


# --- the script -------------------------------------------------------------------------------------------

_COMMON_KEYS = {"kind", "flags", "max_visits", "on_max_visits"}
_NODE_KEYS: Mapping[str, set[str]] = {
    "language": {"prompt", "choices", "goto", "retries", "fallback", "timeout_s"},
    "menu": {
        "prompt",
        "options",
        "retries",
        "on_fail",
        "retry_prompt",
        "input",
        "global_options",
        "timeout_s",
    },
    "say": {"prompt", "goto"},
    "record": {
        "prompt",
        "save_as",
        "max_length_s",
        "finish_key",
        "goto",
        "retries",
        "on_fail",
        "retry_prompt",
    },
    "digits": {
        "prompt",
        "save_as",
        "min_length",
        "max_length",
        "finish_key",
        "goto",
        "retries",
        "on_fail",
        "retry_prompt",
        "input",
        "timeout_s",
    },
    "collect": {"prompt", "save_as", "end_words", "ack", "goto", "empty"},
    "effect": {"prompt", "effect", "args", "results", "on_fail", "clear"},
    "resources": {"prompt", "categories", "goto"},
    "handoff": {"prompt"},
    "goodbye": {"prompt"},
}
_REQUIRED_KEYS: Mapping[str, set[str]] = {
    "language": {"prompt", "choices", "goto"},
    "menu": {"prompt", "options", "on_fail"},
    "say": {"prompt", "goto"},
    "record": {"prompt", "save_as", "max_length_s", "goto", "on_fail"},
    "digits": {"prompt", "save_as", "max_length", "goto", "on_fail"},
    "collect": {"prompt", "save_as", "end_words", "goto", "empty"},
    "effect": {"effect", "results", "on_fail"},
    "resources": {"categories", "goto"},
    "handoff": set(),
    "goodbye": {"prompt"},
}
_CHANNEL_KINDS: Mapping[str, set[str]] = {
    "voice": {"language", "menu", "say", "record", "digits", "effect", "resources", "handoff", "goodbye"},
    "sms": {"menu", "say", "collect", "effect", "resources", "handoff", "goodbye"},
}
_OPTION_KEYS = {"digit", "words", "label", "flags", "set", "goto", "repeat"}
_DEFAULT_KEYS = {
    "languages",
    "timeout_s",
    "retries",
    "min_confidence",
    "input",
    "vars",
    "no_input",
    "no_match",
    "confirm",
    "yes_words",
    "no_words",
    "global_options",
}
_KEYWORD_SETS = {"stop", "start", "help", "urgent", "french", "english"}


class _ScriptReader(Reader):
    def __init__(self, file: str, channel: Channel) -> None:
        super().__init__(file)
        self.channel = channel

    def input_modes(self, raw: object, node: str | None) -> tuple[InputMode, ...] | None:
        modes = self.text_list(raw, node, "input")
        if modes is None:
            return None
        allowed = ("dtmf", "speech") if self.channel == "voice" else ()
        bad = [m for m in modes if m not in allowed]
        if bad or not modes:
            self.problem(node, f"input must list dtmf and/or speech (voice only), not {list(modes)}")
            return None
        return tuple(m for m in ("dtmf", "speech") if m in modes)

    def voices(self, raw: object) -> dict[str, VoiceSpec] | None:
        def one(value: object, where: str) -> VoiceSpec | None:
            data = self.mapping(
                value, None, where, allowed={"language", "voice", "speech_language"}, required={"language"}
            )
            if data is None or "language" not in data:
                return None
            lang = where.rsplit(".", 1)[-1]
            language = self.text(data["language"], None, f"{where}.language")
            speech = self.text(data.get("speech_language", language), None, f"{where}.speech_language")
            voice = self.text(data["voice"], None, f"{where}.voice") if "voice" in data else None
            ok = language is not None and speech is not None
            for tag, key in ((language, "language"), (speech, "speech_language")):
                if tag is not None and tag not in LANGUAGE_TAGS[lang]:
                    self.problem(
                        None,
                        f"{where}.{key} '{tag}' is not a {lang} language "
                        f"(use one of {', '.join(sorted(LANGUAGE_TAGS[lang]))})",
                    )
                    ok = False
            if self.channel == "voice" and language is not None and language in LANGUAGE_TAGS[lang]:
                known = VOICES.get(language, frozenset())
                if voice is None and not known:
                    self.problem(None, f"{where}: no known voice speaks {language}; choose another language")
                    ok = False
                elif voice is not None and voice not in known:
                    hint = (
                        ", ".join(sorted(known, key=lambda v: (not v.startswith("Polly."), v))[:6]) if known else "none"
                    )
                    self.problem(None, f"{where}.voice '{voice}' does not speak {language} (known: {hint}…)")
                    ok = False
            if not ok or language is None or speech is None:
                return None
            return VoiceSpec(language=language, voice=voice, speech_language=speech)

        return self.per_lang(raw, None, "defaults.languages", one)

    def option(self, raw: object, node: str | None, where: str) -> Option | None:
        data = self.mapping(raw, node, where, allowed=_OPTION_KEYS)
        if data is None:
            return None
        digit = self.digit(data["digit"], node, f"{where}.digit") if "digit" in data else None
        words = self.words(data["words"], node, f"{where}.words") if "words" in data else {}
        label = self.per_lang_text(data["label"], node, f"{where}.label") if "label" in data else None
        flags = self.text_list(data.get("flags", []), node, f"{where}.flags")
        set_vars: dict[str, str] = {}
        raw_set = self.mapping(data.get("set", {}), node, f"{where}.set", allowed=_keys(data.get("set", {})))
        for key, value in (raw_set or {}).items():
            name = self.name(key, node, f"{where}.set key")
            text = self.text(value, node, f"{where}.set.{key}")
            if name and text:
                set_vars[name] = text
        goto = self.text(data["goto"], node, f"{where}.goto") if "goto" in data else None
        repeat = self.boolean(data["repeat"], node, f"{where}.repeat") if "repeat" in data else False
        if "digit" not in data and "words" not in data:
            self.problem(node, f"{where}: give a digit, words, or both")
        if (goto is None) == (not repeat):
            self.problem(node, f"{where}: give exactly one of 'goto' or 'repeat: true'")
        if words is None or flags is None:
            return None
        if not label:
            label = {lang: words[lang][0] for lang in words if words[lang]}
        return Option(
            digit=digit,
            words=words,
            label=label,
            flags=flags,
            set_vars=set_vars,
            goto=goto,
            repeat=bool(repeat),
        )

    def options(self, raw: object, node: str | None, where: str) -> tuple[Option, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(node, f"{where} must be a non-empty list")
            return None
        parsed = [self.option(item, node, f"{where}[{i + 1}]") for i, item in enumerate(raw)]
        return tuple(o for o in parsed if o is not None)


def parse_script(raw: object, file: str, resources: tuple[Resource, ...] = ()) -> tuple[Script | None, list[Problem]]:
    """Build a Script from parsed YAML. Returns (None, problems) when it cannot be built."""
    base = Reader(file)
    top = base.mapping(
        raw,
        None,
        "the file",
        allowed={"version", "channel", "start", "defaults", "nodes", "keywords"},
        required={"version", "channel", "start", "defaults", "nodes"},
    )
    if top is None:
        return None, base.problems
    channel_raw = top.get("channel")
    if channel_raw not in ("voice", "sms"):
        base.problem(None, f"channel must be 'voice' or 'sms', not {channel_raw!r}")
        return None, base.problems
    channel: Channel = "voice" if channel_raw == "voice" else "sms"
    r = _ScriptReader(file, channel)
    r.problems = base.problems
    version = r.integer(top.get("version"), None, "version", minimum=1)
    start = r.text(top.get("start"), None, "start")
    defaults = _defaults(r, top.get("defaults"))
    keywords: dict[str, Mapping[str, tuple[str, ...]]] = {}
    if "keywords" in top:
        if channel != "sms":
            r.problem(None, "keywords are for the sms script only")
        kw = r.mapping(top["keywords"], None, "keywords", allowed=_KEYWORD_SETS) or {}
        for key, value in kw.items():
            words = r.words(value, None, f"keywords.{key}")
            if words is not None:
                keywords[key] = words
    nodes: dict[str, Node] = {}
    raw_nodes = r.mapping(top.get("nodes"), None, "nodes", allowed=_keys(top.get("nodes")))
    for node_id, raw_node in (raw_nodes or {}).items():
        if not _NAME.match(node_id):
            r.problem(node_id, "node ids must be lower-case letters, digits and _")
            continue
        node = _node(r, node_id, raw_node, defaults)
        if node is not None:
            nodes[node_id] = node
    if r.problems or version is None or start is None or defaults is None:
        return None, r.problems
    script = Script(
        file=file,
        channel=channel,
        version=version,
        start=start,
        defaults=defaults,
        nodes=nodes,
        keywords=keywords,
        resources=resources,
    )
    return script, r.problems


def _defaults(r: _ScriptReader, raw: object) -> Defaults | None:
    required = {"languages", "no_input", "no_match"}
    if r.channel == "voice":
        required |= {"confirm", "yes_words", "no_words"}
    data = r.mapping(raw, None, "defaults", allowed=_DEFAULT_KEYS, required=required)
    if data is None:
        return None
    voices = r.voices(data.get("languages"))
    timeout = r.integer(data.get("timeout_s", 6), None, "defaults.timeout_s", minimum=1)
    retries = r.integer(data.get("retries", 2), None, "defaults.retries", minimum=0)
    confidence = r.number(data.get("min_confidence", 0.5), None, "defaults.min_confidence", low=0.0, high=1.0)
    default_modes = ["dtmf", "speech"] if r.channel == "voice" else []
    modes: tuple[InputMode, ...] | None = ()
    if r.channel == "voice":
        modes = r.input_modes(data.get("input", default_modes), None)
    elif "input" in data:
        r.problem(None, "defaults.input is for the voice script only")
    no_input = r.prompt(data.get("no_input"), None, "defaults.no_input")
    no_match = r.prompt(data.get("no_match"), None, "defaults.no_match")
    empty_words: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
    confirm = r.prompt(data["confirm"], None, "defaults.confirm") if "confirm" in data else None
    yes_words = r.words(data["yes_words"], None, "defaults.yes_words") if "yes_words" in data else empty_words
    no_words = r.words(data["no_words"], None, "defaults.no_words") if "no_words" in data else empty_words
    globals_ = r.options(data["global_options"], None, "defaults.global_options") if "global_options" in data else ()
    variables: dict[str, Mapping[str, str]] = {}
    raw_vars = r.mapping(data.get("vars", {}), None, "defaults.vars", allowed=_keys(data.get("vars", {})))
    for key, value in (raw_vars or {}).items():
        name = r.name(key, None, "defaults.vars key")
        per = r.per_lang_text(value, None, f"defaults.vars.{key}")
        if name and per:
            variables[name] = per
    if confirm is None:
        confirm = no_match
    if (
        voices is None
        or timeout is None
        or retries is None
        or confidence is None
        or modes is None
        or no_input is None
        or no_match is None
        or confirm is None
        or yes_words is None
        or no_words is None
        or globals_ is None
    ):
        return None
    return Defaults(
        voices=voices,
        timeout_s=timeout,
        retries=retries,
        min_confidence=confidence,
        input_modes=modes,
        no_input=no_input,
        no_match=no_match,
        confirm=confirm,
        yes_words=yes_words,
        no_words=no_words,
        global_options=globals_,
        vars=variables,
    )


def _node(r: _ScriptReader, node_id: str, raw: object, defaults: Defaults | None) -> Node | None:
    if not isinstance(raw, dict):
        r.problem(node_id, f"a node must be a mapping, not {_kind(raw)}")
        return None
    kind = raw.get("kind")
    if kind not in _NODE_KEYS:
        r.problem(node_id, f"kind must be one of {', '.join(sorted(_NODE_KEYS))}, not {kind!r}")
        return None
    if kind not in _CHANNEL_KINDS[r.channel]:
        r.problem(node_id, f"kind '{kind}' cannot be used in a {r.channel} script")
        return None
    d = r.mapping(raw, node_id, f"{kind} node", allowed=_COMMON_KEYS | _NODE_KEYS[kind], required=_REQUIRED_KEYS[kind])
    if d is None or not _REQUIRED_KEYS[kind] <= d.keys():
        return None
    if defaults is None:  # still check the node, with the documented defaults
        defaults = _fallback_defaults(r.channel)
    n = len(r.problems)
    flags = r.text_list(d.get("flags", []), node_id, "flags") or ()
    max_visits = r.integer(d["max_visits"], node_id, "max_visits", minimum=1) if "max_visits" in d else None
    on_max = r.text(d["on_max_visits"], node_id, "on_max_visits") if "on_max_visits" in d else None
    if (max_visits is None) != (on_max is None) and n == len(r.problems):
        r.problem(node_id, "max_visits and on_max_visits go together")
    common: dict[str, Any] = {
        "id": node_id,
        "flags": flags,
        "max_visits": max_visits,
        "on_max_visits": on_max,
    }

    def target(key: str) -> str:
        return r.text(d[key], node_id, key) or ""

    def opt_prompt(key: str) -> Prompt | None:
        return r.prompt(d[key], node_id, key) if key in d else None

    def retries() -> int:
        return r.integer(d.get("retries", defaults.retries), node_id, "retries", minimum=0) or 0

    def timeout() -> int:
        return r.integer(d.get("timeout_s", defaults.timeout_s), node_id, "timeout_s", minimum=1) or 1

    def finish_key(default: str) -> str:
        value = d.get("finish_key", default)
        key = r.digit(value, node_id, "finish_key")
        return key or default

    node: Node | None = None
    prompt = opt_prompt("prompt")
    if kind == "language":
        choices_raw = r.mapping(d["choices"], node_id, "choices", allowed=set(LANGS), required=set(LANGS)) or {}
        choices = {
            lang: choice
            for lang in LANGS
            if lang in choices_raw and (choice := _choice(r, choices_raw[lang], node_id, lang)) is not None
        }
        fallback = r.text(d.get("fallback", DEFAULT_LANG), node_id, "fallback")
        if fallback not in LANGS:
            r.problem(node_id, f"fallback must be one of {', '.join(LANGS)}")
        node = LanguageNode(
            **common,
            prompt=prompt or _EMPTY,
            choices=choices,
            goto=target("goto"),
            retries=r.integer(d.get("retries", 1), node_id, "retries", minimum=0) or 0,
            fallback=fallback or DEFAULT_LANG,
            timeout_s=timeout(),
        )
    elif kind == "menu":
        use_globals = r.boolean(d.get("global_options", True), node_id, "global_options")
        modes = r.input_modes(d["input"], node_id) if "input" in d else defaults.input_modes
        node = MenuNode(
            **common,
            prompt=prompt or _EMPTY,
            options=r.options(d["options"], node_id, "options") or (),
            retries=retries(),
            on_fail=target("on_fail"),
            retry_prompt=opt_prompt("retry_prompt"),
            input_modes=modes or (),
            use_global_options=bool(use_globals),
            timeout_s=timeout(),
        )
    elif kind == "say":
        node = SayNode(**common, prompt=prompt or _EMPTY, goto=target("goto"))
    elif kind == "record":
        node = RecordNode(
            **common,
            prompt=prompt or _EMPTY,
            save_as=r.name(d["save_as"], node_id, "save_as") or "",
            max_length_s=r.integer(d["max_length_s"], node_id, "max_length_s", minimum=1) or 1,
            finish_key=finish_key("#"),
            goto=target("goto"),
            retries=retries(),
            on_fail=target("on_fail"),
            retry_prompt=opt_prompt("retry_prompt"),
        )
    elif kind == "digits":
        min_length = r.integer(d.get("min_length", 1), node_id, "min_length", minimum=1) or 1
        max_length = r.integer(d["max_length"], node_id, "max_length", minimum=1) or 1
        if min_length > max_length:
            r.problem(node_id, "min_length is greater than max_length")
        node = DigitsNode(
            **common,
            prompt=prompt or _EMPTY,
            save_as=r.name(d["save_as"], node_id, "save_as") or "",
            min_length=min_length,
            max_length=max_length,
            finish_key=finish_key("#"),
            goto=target("goto"),
            retries=retries(),
            on_fail=target("on_fail"),
            retry_prompt=opt_prompt("retry_prompt"),
            input_modes=(r.input_modes(d["input"], node_id) if "input" in d else ("dtmf",)) or (),
            timeout_s=timeout(),
        )
    elif kind == "collect":
        node = CollectNode(
            **common,
            prompt=prompt or _EMPTY,
            save_as=r.name(d["save_as"], node_id, "save_as") or "",
            end_words=r.words(d["end_words"], node_id, "end_words") or {},
            ack=opt_prompt("ack"),
            goto=target("goto"),
            empty=target("empty"),
        )
    elif kind == "effect":
        args: dict[str, str] = {}
        raw_args = r.mapping(d.get("args", {}), node_id, "args", allowed=_keys(d.get("args", {}))) or {}
        for key, value in raw_args.items():
            text = r.text(value, node_id, f"args.{key}")
            if text is not None:
                args[key] = text
        results: dict[str, str] = {}
        raw_results = r.mapping(d["results"], node_id, "results", allowed=_keys(d["results"])) or {}
        for key, value in raw_results.items():
            text = r.text(value, node_id, f"results.{key}")
            if text is not None:
                results[key] = text
        node = EffectNode(
            **common,
            prompt=prompt,
            effect=r.text(d["effect"], node_id, "effect") or "",
            args=args,
            results=results,
            on_fail=target("on_fail"),
            clear=r.text_list(d.get("clear", []), node_id, "clear") or (),
        )
    elif kind == "resources":
        node = ResourcesNode(
            **common,
            prompt=prompt,
            categories=r.text_list(d["categories"], node_id, "categories") or (),
            goto=target("goto"),
        )
    elif kind == "handoff":
        node = HandoffNode(**common, prompt=prompt)
    elif kind == "goodbye":
        node = GoodbyeNode(**common, prompt=prompt or _EMPTY)
    return node if len(r.problems) == n else None


def _keys(raw: object) -> set[str]:
    """The keys of a mapping whose keys are free (node ids, variables): only their type is checked."""
    return {k for k in raw if isinstance(k, str)} if isinstance(raw, dict) else set()


def _choice(r: _ScriptReader, raw: object, node_id: str, lang: str) -> Option | None:
    data = r.mapping(raw, node_id, f"choices.{lang}", allowed={"digit", "words"}, required={"digit", "words"})
    if data is None or len(data) < 2:
        return None
    return r.option({**data, "goto": "-"}, node_id, f"choices.{lang}")


_EMPTY = Prompt({lang: LocalPrompt(text="") for lang in LANGS})


def _fallback_defaults(channel: Channel) -> Defaults:
    no_words: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
    return Defaults(
        voices={},
        timeout_s=6,
        retries=2,
        min_confidence=0.5,
        input_modes=("dtmf", "speech") if channel == "voice" else (),
        no_input=_EMPTY,
        no_match=_EMPTY,
        confirm=_EMPTY,
        yes_words=no_words,
        no_words=no_words,
        global_options=(),
        vars={},
    )


# --- the resource directory --------------------------------------------------------------------------------

_RESOURCE_KEYS = {"id", "categories", "name", "sms_name", "phone", "text_number", "hours", "police", "status"}
_PHONE = re.compile(r"^[0-9][0-9-]*[0-9]$")


def parse_resources(raw: object, file: str) -> tuple[tuple[Resource, ...], list[Problem]]:
    r = Reader(file)
    top = r.mapping(raw, None, "the file", allowed={"version", "resources"}, required={"version", "resources"})
    if top is None:
        return (), r.problems
    r.integer(top.get("version"), None, "version", minimum=1)
    entries = top.get("resources")
    if not isinstance(entries, list) or not entries:
        r.problem(None, "resources must be a non-empty list")
        return (), r.problems
    out: list[Resource] = []
    seen: set[str] = set()
    for i, item in enumerate(entries):
        where = f"resource {i + 1}"
        d = r.mapping(item, None, where, allowed=_RESOURCE_KEYS, required=_RESOURCE_KEYS - {"text_number"})
        if d is None or not (_RESOURCE_KEYS - {"text_number"}) <= d.keys():
            continue
        rid = r.name(d["id"], None, f"{where}.id")
        if rid is None:
            continue
        if rid in seen:
            r.problem(rid, "duplicate resource id")
        seen.add(rid)
        n = len(r.problems)
        categories = r.text_list(d["categories"], rid, "categories")
        name = r.per_lang_text(d["name"], rid, "name")
        sms_name = r.per_lang_text(d["sms_name"], rid, "sms_name")
        hours = r.per_lang_text(d["hours"], rid, "hours")
        phone = r.text(d["phone"], rid, "phone")
        if phone is not None and not _PHONE.match(phone):
            r.problem(rid, f"phone '{phone}' must be digits and dashes, e.g. 1-833-900-1010")
        text_number = r.text(d["text_number"], rid, "text_number") if d.get("text_number") is not None else None
        police = r.boolean(d["police"], rid, "police")
        status = r.text(d["status"], rid, "status")
        if status not in ("confirmed", "to_confirm"):
            r.problem(rid, "status must be 'confirmed' or 'to_confirm'")
        if len(r.problems) == n and categories and name and sms_name and hours and phone and police is not None:
            out.append(
                Resource(
                    id=rid,
                    categories=categories,
                    name=name,
                    sms_name=sms_name,
                    phone=phone,
                    text_number=text_number,
                    hours=hours,
                    police=police,
                    status=status or "to_confirm",
                )
            )
    return tuple(out), r.problems


def load_resources(path: Path) -> tuple[tuple[Resource, ...], list[Problem]]:
    raw, problems = read_yaml(path)
    if problems:
        return (), problems
    return parse_resources(raw, path.name)
