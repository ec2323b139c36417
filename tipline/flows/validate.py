"""Checks that need the whole script: targets, reachability, dead ends, menus, effects, variables, texts."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping

from tipline.flows.catalog import (
    BUILTIN_VARS,
    CONSENT_EFFECTS,
    EFFECTS,
    ENGINE_EFFECT_ARGS,
    FILTERS,
    FLAGS,
    LANGS,
    SMS_SENSITIVE_WORDS,
)
from tipline.flows.errors import Problem
from tipline.flows.model import (
    PASS_THROUGH_KINDS,
    TERMINAL_KINDS,
    CollectNode,
    DigitsNode,
    EffectNode,
    GoodbyeNode,
    HandoffNode,
    LanguageNode,
    MenuNode,
    Node,
    Option,
    Prompt,
    RecordNode,
    Resource,
    ResourcesNode,
    SayNode,
    Script,
)
from tipline.flows.render import fields, has_stray_braces, render
from tipline.flows.speech import normalize, words

SMS_MAX_CHARS = 320

Report = Callable[[str | None, str], None]

# Values used to measure SMS replies that contain variables.
_SAMPLE_VALUES = {"reference": "48219375", "pin": "551200", "heard": "information"}


def edges(script: Script, node: Node) -> Iterator[tuple[str, str, Option | None]]:
    """Every (target, why, option) a node can lead to."""
    if node.on_max_visits:
        yield node.on_max_visits, "on_max_visits", None
    match node:
        case LanguageNode() | SayNode() | ResourcesNode():
            yield node.goto, "goto", None
        case MenuNode():
            for i, option in enumerate(node.options):
                if option.goto:
                    yield option.goto, f"options[{i + 1}].goto", option
            if node.use_global_options:
                for i, option in enumerate(script.defaults.global_options):
                    if option.goto:
                        yield option.goto, f"defaults.global_options[{i + 1}].goto", option
            yield node.on_fail, "on_fail", None
        case RecordNode() | DigitsNode():
            yield node.goto, "goto", None
            yield node.on_fail, "on_fail", None
        case CollectNode():
            yield node.goto, "goto", None
            yield node.empty, "empty", None
        case EffectNode():
            for result, target in node.results.items():
                yield target, f"results.{result}", None
            yield node.on_fail, "on_fail", None
        case HandoffNode() | GoodbyeNode():
            return


def validate_script(script: Script) -> list[Problem]:
    problems: list[Problem] = []

    def problem(node: str | None, message: str) -> None:
        problems.append(Problem(script.file, node, message))

    if script.start not in script.nodes:
        problem(None, f"start '{script.start}' is not a node")
        return problems

    for i, option in enumerate(script.defaults.global_options):
        _check_option_target(script, None, f"defaults.global_options[{i + 1}]", option, problem)
    for node in script.nodes.values():
        for target, why, _ in edges(script, node):
            if target not in script.nodes:
                problem(node.id, f"{why}: no node named '{target}'")
        _check_flags(node.id, node.flags, "flags", problem)
        if isinstance(node, MenuNode):
            _check_menu(script, node, problem)
        elif isinstance(node, LanguageNode):
            _check_language(node, problem)
        elif isinstance(node, EffectNode):
            _check_effect(script, node, problem)
        elif isinstance(node, ResourcesNode):
            _check_resources(script, node, problem)
    if problems:
        return problems

    _check_graph(script, problem)
    _check_consent(script, problem)
    _check_templates(script, problem)
    if script.channel == "sms":
        _check_sms_texts(script, problem)
    return problems


def _check_option_target(script: Script, node: str | None, where: str, option: Option, problem: Report) -> None:
    if option.goto and option.goto not in script.nodes:
        problem(node, f"{where}.goto: no node named '{option.goto}'")
    _check_flags(node, option.flags, f"{where}.flags", problem)


def _check_flags(node: str | None, flags: tuple[str, ...], where: str, problem: Report) -> None:
    for flag in flags:
        if flag not in FLAGS:
            problem(node, f"{where}: unknown flag '{flag}' (known: {', '.join(sorted(FLAGS))})")


def _check_menu(script: Script, node: MenuNode, problem: Report) -> None:
    options = list(node.options)
    if node.use_global_options:
        options += script.defaults.global_options
    seen_digits: dict[str, int] = {}
    seen_words: dict[tuple[str, str], int] = {}
    for i, option in enumerate(options):
        where = f"options[{i + 1}]" if i < len(node.options) else "defaults.global_options"
        _check_flags(node.id, option.flags, f"{where}.flags", problem)
        if option.digit is not None:
            if option.digit in seen_digits:
                problem(node.id, f"{where}: digit '{option.digit}' is used twice in this menu")
            seen_digits[option.digit] = i
            if option.digit == "#":
                problem(node.id, f"{where}: '#' ends a keypad entry; use another key")
        elif "dtmf" in node.input_modes:
            problem(node.id, f"{where}: needs a digit (this menu takes keypad input)")
        if script.channel == "sms" and option.digit is None:
            problem(node.id, f"{where}: needs a digit (texters may answer with a number)")
        speech = "speech" in node.input_modes or script.channel == "sms"
        for lang in LANGS:
            listed = option.words.get(lang, ())
            if speech and not listed and i < len(node.options):
                what = "keywords" if script.channel == "sms" else "spoken words"
                problem(node.id, f"{where}: {what} missing in '{lang}'")
            for phrase in listed:
                key = (lang, normalize(phrase))
                if not key[1]:
                    problem(node.id, f"{where}.words.{lang}: '{phrase}' has no letters or digits")
                elif key in seen_words and seen_words[key] != i:
                    problem(node.id, f"{where}.words.{lang}: '{phrase}' already belongs to another option")
                seen_words[key] = i
        for var in option.set_vars:
            if var in BUILTIN_VARS:
                problem(node.id, f"{where}.set: '{var}' is a built-in variable")


def _check_language(node: LanguageNode, problem: Report) -> None:
    digits = [choice.digit for choice in node.choices.values()]
    if len(set(digits)) != len(digits):
        problem(node.id, "choices: each language needs its own digit")


def _check_effect(script: Script, node: EffectNode, problem: Report) -> None:
    spec = EFFECTS.get(node.effect)
    if spec is None:
        problem(node.id, f"unknown effect '{node.effect}' (known: {', '.join(sorted(EFFECTS))})")
        return
    for arg in sorted(spec.required_args - node.args.keys()):
        problem(node.id, f"effect '{node.effect}' needs args.{arg}")
    for arg in sorted(node.args.keys() - spec.required_args - spec.optional_args):
        reason = "is set by the engine" if arg in ENGINE_EFFECT_ARGS else "is not an argument of this effect"
        problem(node.id, f"args.{arg} {reason}")
    for result in sorted(node.results.keys() - spec.results):
        problem(
            node.id,
            f"results.{result}: '{node.effect}' never returns it (it returns {', '.join(sorted(spec.results))})",
        )
    if node.effect == "mark_flag":
        _check_flags(node.id, (node.args.get("flag", ""),), "args.flag", problem)


def _check_resources(script: Script, node: ResourcesNode, problem: Report) -> None:
    known = {c for resource in script.resources for c in resource.categories}
    for category in node.categories:
        if category not in known:
            problem(node.id, f"categories: no resource has category '{category}'")


def _check_graph(script: Script, problem: Report) -> None:
    nodes = script.nodes
    reachable: set[str] = set()
    queue = deque([script.start])
    while queue:
        current = queue.popleft()
        if current in reachable:
            continue
        reachable.add(current)
        queue.extend(target for target, _, _ in edges(script, nodes[current]))
    for node_id in nodes:
        if node_id not in reachable:
            problem(node_id, f"unreachable: no path leads here from start '{script.start}'")

    # A node "finishes" when some path from it reaches a human (handoff) or an explicit goodbye.
    predecessors: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    for node in nodes.values():
        for target, _, _ in edges(script, node):
            predecessors[target].add(node.id)
    finishes = {node.id for node in nodes.values() if isinstance(node, TERMINAL_KINDS)}
    queue = deque(finishes)
    while queue:
        for before in predecessors[queue.popleft()]:
            if before not in finishes:
                finishes.add(before)
                queue.append(before)
    for node_id in sorted(reachable - finishes):
        problem(node_id, "dead end: no path from here reaches a handoff (a human) or a goodbye")

    # Nodes that do not wait (say, resources) must not loop among themselves: the call would never stop.
    for node in nodes.values():
        if not isinstance(node, PASS_THROUGH_KINDS):
            continue
        seen = {node.id}
        walker: Node = node
        while isinstance(walker, SayNode | ResourcesNode):
            next_id = walker.goto
            if next_id in seen:
                problem(
                    node.id,
                    f"loop without a question: '{node.id}' comes back to itself through say/resources",
                )
                break
            seen.add(next_id)
            walker = nodes[next_id]


def _check_consent(script: Script, problem: Report) -> None:
    for node in script.nodes.values():
        if not isinstance(node, EffectNode) or node.effect not in CONSENT_EFFECTS:
            continue
        var = CONSENT_EFFECTS[node.effect]
        for before in script.nodes.values():
            for target, why, option in edges(script, before):
                if target != node.id:
                    continue
                if not isinstance(before, MenuNode) or option is None or option.set_vars.get(var) != "yes":
                    problem(
                        node.id,
                        f"'{node.effect}' sends a text: reach it only from a menu option with set: {{{var}: 'yes'}} "
                        f"after warning the caller (not from node '{before.id}' {why})",
                    )


def _prompts(script: Script) -> Iterator[tuple[str | None, str, Prompt]]:
    d = script.defaults
    yield None, "defaults.no_input", d.no_input
    yield None, "defaults.no_match", d.no_match
    yield None, "defaults.confirm", d.confirm
    for node in script.nodes.values():
        for key in ("prompt", "retry_prompt", "ack"):
            value = getattr(node, key, None)
            if isinstance(value, Prompt):
                yield node.id, key, value


def defined_vars(script: Script) -> set[str]:
    """Every variable a template may use: built-ins, defaults.vars and what the script itself sets."""
    out = set(BUILTIN_VARS) | set(script.defaults.vars)
    for node in script.nodes.values():
        if isinstance(node, RecordNode | DigitsNode | CollectNode):
            out.add(node.save_as)
        elif isinstance(node, MenuNode):
            for option in node.options:
                out.update(option.set_vars)
        elif isinstance(node, EffectNode) and node.effect in EFFECTS:
            out.update(EFFECTS[node.effect].produces)
    for option in script.defaults.global_options:
        out.update(option.set_vars)
    return out


def _check_templates(script: Script, problem: Report) -> None:
    known = defined_vars(script)

    def check(node: str | None, where: str, template: str) -> None:
        if has_stray_braces(template):
            problem(node, f"{where}: a '{{' or '}}' does not form a {{variable}}")
        for name, filter_name in fields(template):
            if name.split(".", 1)[0] not in known:
                problem(node, f"{where}: unknown variable {{{name}}} (known: {', '.join(sorted(known))})")
            if filter_name is not None and filter_name not in FILTERS:
                problem(node, f"{where}: unknown filter '|{filter_name}' (known: {', '.join(sorted(FILTERS))})")

    for node, where, prompt in _prompts(script):
        for lang in LANGS:
            text = prompt.get(lang).text
            if text is not None:
                check(node, f"{where}.{lang}", text)
    for effect in script.nodes.values():
        if isinstance(effect, EffectNode):
            for key, value in effect.args.items():
                check(effect.id, f"args.{key}", value)


def sample_lookup(script: Script, lang: str) -> Mapping[str, str]:
    values = {name: "x" * 12 for name in defined_vars(script)}
    values.update({name: per[lang] for name, per in script.defaults.vars.items()})
    values.update(_SAMPLE_VALUES)
    return values


def _sensitive(text: str) -> list[str]:
    said = set(words(text))
    return [word for word in SMS_SENSITIVE_WORDS if word in said]


KEYWORD_REPLIES = ("help_text", "stop_text", "start_text", "urgent_text")
HELP_MAX_CHARS = 160


def _check_sms_texts(script: Script, problem: Report) -> None:
    for lang in LANGS:
        values = sample_lookup(script, lang)
        for node, where, prompt in _prompts(script):
            text = prompt.get(lang).text or ""
            rendered = render(text, values.get, spoken=False)
            if len(rendered) > SMS_MAX_CHARS:
                problem(
                    node,
                    f"{where}.{lang}: {len(rendered)} characters; an SMS reply must stay within {SMS_MAX_CHARS}",
                )
            bad = _sensitive(rendered)
            if bad:
                problem(node, f"{where}.{lang}: texts must use neutral words; remove {', '.join(bad)}")
        for name in KEYWORD_REPLIES:  # the keyword replies can be the very first text a phone receives
            reply = script.defaults.vars.get(name, {}).get(lang)
            if reply is None:
                continue
            limit = HELP_MAX_CHARS if name == "help_text" else SMS_MAX_CHARS
            if len(reply) > limit:
                problem(None, f"defaults.vars.{name}.{lang}: {len(reply)} characters; at most {limit}")
            bad = _sensitive(reply)
            if bad:
                problem(None, f"defaults.vars.{name}.{lang}: texts must use neutral words; remove {', '.join(bad)}")


def check_resources(resources: tuple[Resource, ...], file: str) -> list[Problem]:
    problems = []
    for resource in resources:
        for lang in LANGS:
            bad = _sensitive(resource.sms_name[lang])
            if bad:
                problems.append(
                    Problem(
                        file,
                        resource.id,
                        f"sms_name.{lang} is sent by text and must be neutral; remove {', '.join(bad)}",
                    )
                )
    return problems
