"""Rendering the flow's actions as TwiML with the ``twilio`` library."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from twilio.twiml.voice_response import Gather, VoiceResponse

from tipline.flows import Ask, Hangup, Play, Record, Say, Spoken

StepUrl = Callable[[str | None], str]  # event (None: the answer to a <Gather>) -> the step URL


def speak(target: VoiceResponse | Gather, spoken: Spoken) -> None:
    if isinstance(spoken, Say):
        if spoken.voice:
            target.say(spoken.text, language=spoken.language, voice=spoken.voice)
        else:
            target.say(spoken.text, language=spoken.language)
    else:
        target.play(spoken.url)


def render_ask(response: VoiceResponse, ask: Ask, step_url: StepUrl) -> None:
    options: dict[str, object] = {
        "input": " ".join(ask.input_modes),
        "action": step_url(None),
        "method": "POST",
        "timeout": ask.timeout_s,
        "action_on_empty_result": False,
    }
    if "speech" in ask.input_modes:
        options["language"] = ask.speech_language
        options["speech_timeout"] = "auto"
        if ask.hints:
            options["hints"] = ", ".join(ask.hints)
    if ask.num_digits is not None:
        options["num_digits"] = ask.num_digits
    options["finish_on_key"] = ask.finish_on_key
    gather = response.gather(**options)
    for prompt in ask.prompts:
        speak(gather, prompt)
    # Twilio goes on past a <Gather> that heard nothing: that is our "no input".
    response.redirect(step_url("no_input"), method="POST")


def render_record(response: VoiceResponse, record: Record, step_url: StepUrl) -> None:
    for prompt in record.prompt:
        speak(response, prompt)
    response.record(
        action=step_url("recording_done"),
        method="POST",
        max_length=record.max_length_s,
        finish_on_key=record.finish_on_key,
        play_beep=True,
        timeout=10,
    )
    # A <Record> that captured nothing falls through to the next verb.
    response.redirect(step_url("no_input"), method="POST")


def render(actions: Sequence[object], step_url: StepUrl, response: VoiceResponse | None = None) -> VoiceResponse:
    """Say/Play/Ask/Record/Hangup as TwiML. A ``HandOff`` is routing's: the caller renders it."""
    response = response or VoiceResponse()
    for action in actions:
        if isinstance(action, Say | Play):
            speak(response, action)
        elif isinstance(action, Ask):
            render_ask(response, action, step_url)
        elif isinstance(action, Record):
            render_record(response, action, step_url)
        elif isinstance(action, Hangup):
            response.hangup()
    return response
