"""The flow engine: `step(script, state, input) -> (state, actions)`. Pure: no I/O, no clock, no database.

The adapter persists the state between requests, renders the actions (TwiML or SMS replies), runs the
effects, and calls `step` again with what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from tipline.flows.actions import Action, Ask, Effect, HandOff, Hangup, Play, Record, Reply, Say, Spoken
from tipline.flows.catalog import CONSENT_EFFECTS, DEFAULT_LANG, EFFECTS, LANGS
from tipline.flows.model import (
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
from tipline.flows.render import render, speak_phone
from tipline.flows.speech import best_match, digits_in, normalize, spoken_key
from tipline.flows.state import FlowInput, FlowState, Pending

Result = tuple[FlowState, tuple[Action, ...]]

_MAX_HOPS = 64  # say → say → … chains; the validator forbids loops, this only guards a broken script
SMS_CHUNK = 320


def step(script: Script, state: FlowState, event: FlowInput) -> Result:
    """Advance the flow by one event. Returns the new state and what to do, in order.

    An empty tuple of actions means "nothing to do for this event" (e.g. an event a node does not expect,
    or any event once the flow reached a human).
    """
    actions: list[Action] = []
    if event.event == "start":
        state = replace(state, retries=0, pending=None)
        if script.channel == "sms" and event.text and state.lang is None:
            # A first text that is just "EN" (or « FR ») already chooses the language.
            state = replace(state, lang=_language_keyword(script, event.text))
        return _done(_enter(script, state, state.node if state.node in script.nodes else script.start, actions))

    node = script.nodes.get(state.node)
    if node is None:  # the script changed under a live conversation: begin again, keeping what we know
        return _done(_enter(script, state, script.start, actions))

    if script.channel == "sms" and event.event == "input" and event.text:
        switched = _language_keyword(script, event.text)
        if switched is not None and not isinstance(node, HandoffNode):
            state = replace(state, lang=switched)
            if isinstance(node, GoodbyeNode):
                return _done(_enter(script, state, script.start, actions))
            return _done((state, _prompt_for(script, state, node, actions)))

    if isinstance(node, HandoffNode):
        return state, ()
    if isinstance(node, GoodbyeNode):
        if script.channel == "sms" and event.event == "input":  # a new conversation after a goodbye
            return _done(_enter(script, replace(state, visits={}), script.start, actions))
        return state, ()

    if state.pending is not None and isinstance(node, MenuNode) and event.event in ("input", "no_input"):
        return _done(_confirm(script, state, node, event, actions))

    match node:
        case LanguageNode():
            result = _on_language(script, state, node, event, actions)
        case MenuNode():
            result = _on_menu(script, state, node, event, actions)
        case DigitsNode():
            result = _on_digits(script, state, node, event, actions)
        case RecordNode():
            result = _on_record(script, state, node, event, actions)
        case CollectNode():
            result = _on_collect(script, state, node, event, actions)
        case EffectNode():
            result = _on_effect(script, state, node, event, actions)
        case SayNode() | ResourcesNode():  # never waits; only reached if a state was saved mid-way
            result = _enter(script, state, node.goto, actions)
    return _done(result)


def _done(result: tuple[FlowState, list[Action]] | Result) -> Result:
    state, actions = result
    return state, tuple(actions)


# --- entering a node ---------------------------------------------------------------------------------------


def _enter(
    script: Script, state: FlowState, node_id: str, actions: list[Action], hops: int = 0
) -> tuple[FlowState, list[Action]]:
    if hops > _MAX_HOPS:
        raise RuntimeError(f"{script.file}: flow loops without asking anything (at node '{node_id}')")
    node = script.nodes[node_id]
    visits = {**state.visits, node_id: state.visits.get(node_id, 0) + 1}
    state = replace(state, node=node_id, retries=0, pending=None, collected=0, visits=visits)
    if node.max_visits is not None and node.on_max_visits and visits[node_id] > node.max_visits:
        return _enter(script, state, node.on_max_visits, actions, hops + 1)
    state = state.with_flags(*node.flags)
    lang = _lang(state)

    match node:
        case SayNode():
            actions += _speak(script, state, node.prompt, lang)
            return _enter(script, state, node.goto, actions, hops + 1)
        case ResourcesNode():
            if node.prompt is not None:
                actions += _speak(script, state, node.prompt, lang)
            actions += _resources(script, node.categories, lang)
            return _enter(script, state, node.goto, actions, hops + 1)
        case HandoffNode():
            if node.prompt is not None:
                actions += _speak(script, state, node.prompt, lang)
            actions.append(HandOff(flags=state.flags, lang=lang))
            return state, actions
        case GoodbyeNode():
            actions += _speak(script, state, node.prompt, lang)
            if script.channel == "voice":
                actions.append(Hangup())
            return state, actions
        case EffectNode():
            return _start_effect(script, state, node, actions, hops)
        case _:
            return state, _prompt_for(script, state, node, actions)


def _start_effect(
    script: Script, state: FlowState, node: EffectNode, actions: list[Action], hops: int
) -> tuple[FlowState, list[Action]]:
    lang = _lang(state)
    consent_var = CONSENT_EFFECTS.get(node.effect)
    if consent_var is not None and state.vars.get(consent_var) != "yes":
        # Never reach the caller's phone without their explicit consent, whatever the script says.
        return _enter(script, state, node.on_fail, actions, hops + 1)
    if node.prompt is not None:
        actions += _speak(script, state, node.prompt, lang)
    lookup = _lookup(script, state, lang)
    args = {key: render(value, lookup, spoken=False) for key, value in node.args.items()}
    args["lang"] = lang
    if node.effect == "send_resources_sms":
        args["sms_body"] = "\n".join(_resource_lines(script, _categories(args["categories"]), lang))
    actions.append(Effect(name=node.effect, args=args))
    if node.clear:
        state = replace(state, vars={k: v for k, v in state.vars.items() if k not in node.clear})
    return state, actions


def _prompt_for(script: Script, state: FlowState, node: Node, actions: list[Action]) -> list[Action]:
    """The question a waiting node asks (again, after a language switch or a retry)."""
    return _ask(script, state, node, (), actions)


def _ask(
    script: Script, state: FlowState, node: Node, preface: Sequence[Prompt], actions: list[Action]
) -> list[Action]:
    lang = _lang(state)
    prompts: list[Spoken] = []
    if script.channel == "sms":
        for prompt in [*preface, _main_prompt(node, state)]:
            actions += _speak(script, state, prompt, lang)
        return actions
    voice = script.defaults.voices[lang]
    for prompt in preface:
        prompts += _spoken(script, state, prompt, lang)
    match node:
        case LanguageNode():
            # Both languages, each in its own voice: the caller has not chosen yet.
            for each in LANGS:
                prompts += _spoken(script, state, node.prompt, each)
            hints = [w for choice in node.choices.values() for each in LANGS for w in choice.words[each]]
            hints += _option_words(script.defaults.global_options, LANGS)
            actions.append(
                Ask(
                    prompts=tuple(prompts),
                    input_modes=script.defaults.input_modes,
                    num_digits=1,
                    finish_on_key="",
                    timeout_s=node.timeout_s,
                    hints=_unique(hints),
                    lang=lang,
                    speech_language=voice.speech_language,
                )
            )
        case MenuNode():
            prompts += _spoken(script, state, _main_prompt(node, state), lang)
            hints = _option_words(_options(script, node), (lang,))
            actions.append(
                Ask(
                    prompts=tuple(prompts),
                    input_modes=node.input_modes,
                    num_digits=1 if "dtmf" in node.input_modes else None,
                    finish_on_key="",
                    timeout_s=node.timeout_s,
                    hints=_unique(hints),
                    lang=lang,
                    speech_language=voice.speech_language,
                )
            )
        case DigitsNode():
            prompts += _spoken(script, state, _main_prompt(node, state), lang)
            fixed = node.max_length if node.min_length == node.max_length else None
            actions.append(
                Ask(
                    prompts=tuple(prompts),
                    input_modes=node.input_modes,
                    num_digits=fixed,
                    finish_on_key=node.finish_key,
                    timeout_s=node.timeout_s,
                    hints=(),
                    lang=lang,
                    speech_language=voice.speech_language,
                )
            )
        case RecordNode():
            prompts += _spoken(script, state, _main_prompt(node, state), lang)
            actions.append(
                Record(prompt=tuple(prompts), max_length_s=node.max_length_s, finish_on_key=node.finish_key, lang=lang)
            )
        case _:
            raise RuntimeError(f"{script.file}: node '{node.id}' does not ask anything")
    return actions


def _main_prompt(node: Node, state: FlowState) -> Prompt:
    retry_prompt = getattr(node, "retry_prompt", None)
    if state.retries > 0 and isinstance(retry_prompt, Prompt):
        return retry_prompt
    prompt = getattr(node, "prompt", None)
    assert isinstance(prompt, Prompt)
    return prompt


def _retry(
    script: Script,
    state: FlowState,
    node: LanguageNode | MenuNode | DigitsNode | RecordNode,
    why: str,
    actions: list[Action],
) -> tuple[FlowState, list[Action]]:
    """Ask again with a short explanation, or give up to `on_fail` (a human in the default scripts)."""
    if state.retries >= node.retries:
        if isinstance(node, LanguageNode):  # nobody chose: continue in the fallback language
            return _enter(script, replace(state, lang=state.lang or node.fallback), node.goto, actions)
        state = state.with_flags("no_response" if why == "no_input" else "unclear")
        return _enter(script, state, node.on_fail, actions)
    state = replace(state, retries=state.retries + 1, pending=None)
    if isinstance(node, LanguageNode):
        return state, _ask(script, state, node, (), actions)
    preface = script.defaults.no_input if why == "no_input" else script.defaults.no_match
    return state, _ask(script, state, node, (preface,), actions)


# --- answers -----------------------------------------------------------------------------------------------


def _answer(event: FlowInput) -> tuple[str | None, str | None]:
    """(keys pressed, words said or texted) of an input event; (None, None) when it carried nothing."""
    keys = (event.digits or "").strip() or None
    said = (event.speech or event.text or "").strip() or None
    return keys, said


def _on_language(
    script: Script, state: FlowState, node: LanguageNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    keys, said = _answer(event)
    if event.event == "no_input" or (event.event == "input" and keys is None and said is None):
        return _retry(script, state, node, "no_input", actions)
    if event.event != "input":
        return state, []
    choices = list(node.choices.items())
    key = keys if keys is not None else spoken_key(said or "")
    for lang, choice in choices:
        if key is not None and key == choice.digit:
            return _enter(script, replace(state, lang=lang), node.goto, actions)
    for option in script.defaults.global_options:
        if key is not None and key == option.digit:
            return _select(script, state, node, option, actions)
    if said is not None and keys is None:
        # The choice of language is asked in both languages, so it is taken as heard, whatever the confidence.
        candidates = [[w for each in LANGS for w in choice.words[each]] for _, choice in choices]
        match = best_match(said, candidates)
        if match is not None:
            return _enter(script, replace(state, lang=choices[match.index][0]), node.goto, actions)
        global_words = [[w for each in LANGS for w in o.words.get(each, ())] for o in script.defaults.global_options]
        match = best_match(said, global_words)
        if match is not None:
            return _select(script, state, node, script.defaults.global_options[match.index], actions)
    return _retry(script, state, node, "no_match", actions)


def _on_menu(
    script: Script, state: FlowState, node: MenuNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    keys, said = _answer(event)
    if event.event == "no_input" or (event.event == "input" and keys is None and said is None):
        return _retry(script, state, node, "no_input", actions)
    if event.event != "input":
        return state, []
    options = _options(script, node)
    lang = _lang(state)
    key = keys if keys is not None else spoken_key(said or "")
    if key is not None:
        for option in options:
            if option.digit == key:
                return _select(script, state, node, option, actions)
        return _retry(script, state, node, "no_match", actions)
    assert said is not None
    match = best_match(said, [option.words.get(lang, ()) for option in options])
    if match is None:
        return _retry(script, state, node, "no_match", actions)
    option = options[match.index]
    unsure = event.confidence is not None and event.confidence < script.defaults.min_confidence
    if script.channel == "voice" and (unsure or match.ambiguous):
        heard = option.label.get(lang) or match.phrase
        state = replace(state, pending=Pending(option=match.index, heard=heard))
        return state, _ask_confirmation(script, state, actions)
    return _select(script, state, node, option, actions)


def _ask_confirmation(script: Script, state: FlowState, actions: list[Action]) -> list[Action]:
    lang = _lang(state)
    voice = script.defaults.voices[lang]
    hints = (*script.defaults.yes_words[lang], *script.defaults.no_words[lang])
    actions.append(
        Ask(
            prompts=tuple(_spoken(script, state, script.defaults.confirm, lang)),
            input_modes=("dtmf", "speech"),
            num_digits=1,
            finish_on_key="",
            timeout_s=script.defaults.timeout_s,
            hints=_unique(hints),
            lang=lang,
            speech_language=voice.speech_language,
        )
    )
    return actions


def _confirm(
    script: Script, state: FlowState, node: MenuNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    """The answer to « Vous avez dit : danger. Est-ce exact ? »: 1/yes acts, anything else asks again."""
    assert state.pending is not None
    lang = _lang(state)
    keys, said = _answer(event)
    key = keys if keys is not None else spoken_key(said or "")
    yes = key == "1"
    if key is None and said is not None:
        match = best_match(said, [script.defaults.yes_words[lang], script.defaults.no_words[lang]])
        yes = match is not None and match.index == 0 and not match.ambiguous
    options = _options(script, node)
    if yes and 0 <= state.pending.option < len(options):
        return _select(script, replace(state, pending=None), node, options[state.pending.option], actions)
    state = replace(state, pending=None)
    if state.retries >= node.retries:
        return _enter(script, state.with_flags("unclear"), node.on_fail, actions)
    state = replace(state, retries=state.retries + 1)
    return state, _ask(script, state, node, (), actions)


def _select(
    script: Script, state: FlowState, node: Node, option: Option, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    state = state.with_flags(*option.flags)
    if option.set_vars:
        state = state.with_vars(**option.set_vars)
    if option.repeat or option.goto is None:
        state = replace(state, retries=0, pending=None)
        return state, _prompt_for(script, state, node, actions)
    return _enter(script, state, option.goto, actions)


def _on_digits(
    script: Script, state: FlowState, node: DigitsNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    if event.event == "no_input":
        return _retry(script, state, node, "no_input", actions)
    if event.event != "input":
        return state, []
    if event.digits:
        number = "".join(c for c in event.digits if c.isdigit())
    else:
        number = digits_in(event.speech or event.text or "")
    if not number:
        return _retry(script, state, node, "no_input" if not (event.digits or event.speech) else "no_match", actions)
    if not node.min_length <= len(number) <= node.max_length:
        return _retry(script, state, node, "no_match", actions)
    return _enter(script, state.with_vars(**{node.save_as: number}), node.goto, actions)


def _on_record(
    script: Script, state: FlowState, node: RecordNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    if event.event not in ("recording_done", "no_input"):
        return state, []
    url = event.data.get("recording_url", "").strip() if event.event == "recording_done" else ""
    if not url:
        return _retry(script, state, node, "no_input", actions)
    return _enter(script, state.with_vars(**{node.save_as: url}), node.goto, actions)


def _on_collect(
    script: Script, state: FlowState, node: CollectNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    lang = _lang(state)
    if event.event == "idle":
        finished, text = True, ""
    elif event.event == "input" and event.text:
        finished, text = _strip_end_word(event.text, node.end_words)
    else:
        return state, []
    collected = state.vars.get(node.save_as, "")
    if text:
        collected = f"{collected}\n{text}" if collected else text
        state = replace(state.with_vars(**{node.save_as: collected}), collected=state.collected + 1)
    if finished:
        return _enter(script, state, node.goto if collected else node.empty, actions)
    if text and state.collected == 1 and node.ack is not None:
        actions += _speak(script, state, node.ack, lang)
    return state, actions


def _strip_end_word(text: str, end_words: Mapping[str, tuple[str, ...]]) -> tuple[bool, str]:
    """(True, the rest) when a message is or ends with an end word (« FIN », "done"), else (False, text)."""
    stripped = text.strip()
    tokens = stripped.split()
    for phrase in (w for each in LANGS for w in end_words.get(each, ())):
        target = normalize(phrase)
        for k in range(1, len(tokens) + 1):
            tail = normalize(" ".join(tokens[-k:]))
            if tail == target:
                parts = stripped.rsplit(maxsplit=k)
                return True, parts[0].strip() if len(parts) > k else ""
            if len(tail) > len(target):
                break
    return False, stripped


def _on_effect(
    script: Script, state: FlowState, node: EffectNode, event: FlowInput, actions: list[Action]
) -> tuple[FlowState, list[Action]]:
    if event.event != "effect_result":
        return state, []
    result = event.data.get("result", "")
    produces = EFFECTS[node.effect].produces
    values = {key: str(value) for key, value in event.data.items() if key in produces}
    if values:
        state = state.with_vars(**values)
    target = node.results.get(result)
    if target is None:
        return _enter(script, state.with_flags("failed"), node.on_fail, actions)
    return _enter(script, state, target, actions)


# --- speaking ----------------------------------------------------------------------------------------------


def _lang(state: FlowState) -> str:
    return state.lang or DEFAULT_LANG


def _lookup(script: Script, state: FlowState, lang: str) -> Callable[[str], str | None]:
    def lookup(name: str) -> str | None:
        if name == "lang":
            return lang
        for key in (f"{name}.{lang}", name):
            if key in state.vars:
                return state.vars[key]
        per_lang = script.defaults.vars.get(name)
        return per_lang[lang] if per_lang else None

    return lookup


def _spoken(script: Script, state: FlowState, prompt: Prompt, lang: str) -> list[Spoken]:
    local = prompt.get(lang)
    if local.play:
        return [Play(url=local.play, lang=lang)]
    text = _text(script, state, prompt, lang)
    voice = script.defaults.voices[lang]
    return [Say(text=text, lang=lang, voice=voice.voice, language=voice.language)] if text else []


def _text(script: Script, state: FlowState, prompt: Prompt, lang: str) -> str:
    lookup = _lookup(script, state, lang)
    if state.pending is not None:
        heard = state.pending.heard
        base = lookup

        def lookup(name: str) -> str | None:
            return heard if name == "heard" else base(name)

    return render(prompt.get(lang).text or "", lookup, spoken=script.channel == "voice").strip()


def _speak(script: Script, state: FlowState, prompt: Prompt, lang: str) -> list[Action]:
    if script.channel == "sms":
        text = _text(script, state, prompt, lang)
        return [Reply(text=text, lang=lang)] if text else []
    return list(_spoken(script, state, prompt, lang))


def _categories(raw: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in raw.replace(";", ",").split(",") if c.strip())


def _matching(script: Script, categories: Sequence[str]) -> list[Resource]:
    return [r for r in script.resources if set(r.categories) & set(categories)]


def _resource_lines(script: Script, categories: Sequence[str], lang: str) -> list[str]:
    """Short, neutral lines for a text message: « Ligne d'aide 24/7 : 1-833-900-1010 »."""
    lines = []
    for resource in _matching(script, categories):
        colon = " :" if lang == "fr" else ":"  # French typography puts a space before the colon
        line = f"{resource.sms_name[lang]}{colon} {resource.phone}"
        if resource.text_number:
            line += f" ({'texto' if lang == 'fr' else 'text'} {resource.text_number})"
        lines.append(line)
    return lines


def _resources(script: Script, categories: Sequence[str], lang: str) -> list[Action]:
    if script.channel == "sms":
        chunks: list[str] = []
        for line in _resource_lines(script, categories, lang):
            if chunks and len(chunks[-1]) + 1 + len(line) <= SMS_CHUNK:
                chunks[-1] += "\n" + line
            else:
                chunks.append(line)
        return [Reply(text=chunk, lang=lang) for chunk in chunks]
    voice = script.defaults.voices[lang]
    return [
        Say(
            text=f"{r.name[lang]}. {speak_phone(r.phone)}. {r.hours[lang]}.",
            lang=lang,
            voice=voice.voice,
            language=voice.language,
        )
        for r in _matching(script, categories)
    ]


# --- small helpers -----------------------------------------------------------------------------------------


def _options(script: Script, node: MenuNode) -> tuple[Option, ...]:
    return node.options + (script.defaults.global_options if node.use_global_options else ())


def _option_words(options: Sequence[Option], langs: Sequence[str]) -> list[str]:
    return [w for option in options for lang in langs for w in option.words.get(lang, ())]


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _language_keyword(script: Script, text: str) -> str | None:
    said = normalize(text)
    for lang, key in (("fr", "french"), ("en", "english")):
        listed = script.keywords.get(key, {})
        if any(normalize(w) == said for each in LANGS for w in listed.get(each, ())):
            return lang
    return None
