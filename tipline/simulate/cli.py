"""``tipline simulate call`` and ``tipline simulate sms``: a terminal phone that walks the line's flows
through signed HTTP requests, exactly as Twilio would."""

from __future__ import annotations

import os
from collections.abc import Callable

import click

from tipline.simulate.call import CallSimulator
from tipline.simulate.caller import InteractiveCaller, Prompt, SimulationError
from tipline.simulate.events import AppError, Dialled, Event, Hungup, Posted, Prompted, Queued, Recorded, Utterance
from tipline.simulate.params import DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN
from tipline.simulate.sms import Reply, SmsEvent, SmsSimulator
from tipline.simulate.transport import HttpTransport

DEFAULT_FROM = "+15145550199"
LANGUAGE_DIGITS = {"fr": ("1", "français"), "en": ("2", "English")}


def _default_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"


def _default_to() -> str:
    return os.environ.get("TIPLINE_PHONE_NUMBER") or "+15145550100"


def _default_token() -> str:
    return os.environ.get("TWILIO_AUTH_TOKEN") or DEMO_TWILIO_AUTH_TOKEN


def _account_sid() -> str:
    return os.environ.get("TWILIO_ACCOUNT_SID") or DEMO_TWILIO_ACCOUNT_SID


_common = [
    click.option(
        "--url",
        default=_default_url,
        show_default="http://127.0.0.1:$PORT (5000)",
        help="Base URL of the running line (what Twilio would call).",
    ),
    click.option("--from", "from_number", default=DEFAULT_FROM, show_default=True, help="The caller's number."),
    click.option(
        "--to",
        "to_number",
        default=_default_to,
        show_default="$TIPLINE_PHONE_NUMBER or +15145550100",
        help="The line's number.",
    ),
    click.option(
        "--token",
        default=_default_token,
        show_default="$TWILIO_AUTH_TOKEN or the demo token",
        help="Auth token the requests are signed with.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Also show every webhook request and its status."),
]


def _with_common(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_common):
        function = option(function)
    return function


@click.group("simulate")
def simulate() -> None:
    """Call or text the line from the terminal, as Twilio would (signed webhooks)."""


@simulate.command("twilio-api")
@click.option("--port", type=int, default=5099, show_default=True)
@click.option("--token", default=_default_token, show_default="$TWILIO_AUTH_TOKEN or the demo token")
def twilio_api_command(port: int, token: str) -> None:
    """A local stand-in for Twilio's REST API, to watch what the line sends (texts, calls) without Twilio:
    start the line with TWILIO_API_URL pointing here. Status callbacks come back as Twilio sends them."""
    import time

    from tipline.simulate.fake_twilio_api import FakeTwilioApi

    api = FakeTwilioApi(account_sid=_account_sid(), auth_token=token).start(port=port)
    click.echo(f"Twilio REST stand-in on {api.base_url}: start the line with TWILIO_API_URL={api.base_url}")
    shown: set[str] = set()
    try:
        while True:
            time.sleep(0.2)
            for message in api.messages:
                if message["sid"] not in shown:
                    shown.add(message["sid"])
                    click.echo(f"SMS  → {message['to']}: {message.get('body', '')}")
            for call in api.calls:
                if call["sid"] not in shown:
                    shown.add(call["sid"])
                    click.echo(f"CALL → {call['to']}")
            api.deliver_pending()  # delivered / completed, signed, to the URLs the line gave
    except KeyboardInterrupt:
        api.stop()


@simulate.command("call")
@_with_common
@click.option(
    "--lang",
    type=click.Choice(sorted(LANGUAGE_DIGITS)),
    default=None,
    help="Remind which key picks this language at the first menu (nothing is pressed for you).",
)
def call_command(url: str, from_number: str, to_number: str, token: str, verbose: bool, lang: str | None) -> None:
    """Place a voice call: hear the prompts, answer with keys, speech, silence or a recording."""
    click.echo(f"Calling {to_number} at {url} from {from_number}. Type h to hang up.")
    caller = _HintingCaller(InteractiveCaller(read=_read, write=click.echo), lang)
    simulator = CallSimulator(
        HttpTransport(),
        url,
        token,
        from_number,
        to_number,
        account_sid=_account_sid(),
        fallback_url="/twilio/voice/fallback",
        output=lambda event: _show_call_event(event, verbose),
    )
    try:
        simulator.run(caller)
    except SimulationError as error:
        raise click.ClickException(str(error)) from error


@simulate.command("sms")
@_with_common
def sms_command(url: str, from_number: str, to_number: str, token: str, verbose: bool) -> None:
    """Text the line: each line you type is one SMS; the replies are printed. Ctrl-D to stop."""
    click.echo(f"Texting {to_number} at {url} from {from_number}. Ctrl-D (or /quit) to stop.")
    simulator = SmsSimulator(
        HttpTransport(),
        url,
        token,
        from_number,
        to_number,
        account_sid=_account_sid(),
        fallback_url="/twilio/sms/fallback",
        output=lambda event: _show_sms_event(event, from_number, verbose),
    )
    while True:
        try:
            body = _read("you> ")
        except EOFError:
            click.echo()
            return
        if body.strip() == "/quit":
            return
        if body.strip():
            simulator.send(body)


def _read(prompt: str) -> str:
    return input(prompt)


class _HintingCaller:
    """Print which key selects ``--lang`` at the first keypad prompt; the human still presses it."""

    def __init__(self, caller: InteractiveCaller, lang: str | None) -> None:
        self.caller = caller
        self.hint = LANGUAGE_DIGITS.get(lang or "")

    def hears(self, utterance: Utterance) -> bool:
        return self.caller.hears(utterance)

    def respond(self, prompt: Prompt) -> str | None:
        if self.hint and prompt.kind == "gather":
            digit, name = self.hint
            click.echo(click.style(f"(hint: press {digit} for {name})", fg="cyan"))
            self.hint = None
        return self.caller.respond(prompt)


def _show_call_event(event: Event, verbose: bool) -> None:
    if isinstance(event, Utterance):
        if event.kind == "say":
            click.echo(click.style(str(event), fg="green" if event.party == "caller" else "magenta"))
        elif event.kind != "pause":
            click.echo(click.style(str(event), dim=True))
    elif isinstance(event, AppError):
        click.echo(
            click.style(
                f"Twilio: an application error has occurred ({event.code}: {event.detail}, {event.url})", fg="red"
            )
        )
    elif isinstance(event, Dialled):
        click.echo(click.style(f"☎ dialling {', '.join(event.targets)} → {event.status}", fg="yellow"))
    elif isinstance(event, Queued):
        click.echo(click.style(f"⧖ left queue {event.name}: {event.result} after {event.queue_time}s", fg="yellow"))
    elif isinstance(event, Recorded):
        click.echo(click.style(f"● recorded {event.duration}s ({event.sid})", fg="yellow"))
    elif isinstance(event, Hungup):
        click.echo(
            click.style(
                f"— call ended ({event.by}: {event.reason}), {event.duration}s, CallStatus={event.status}", bold=True
            )
        )
    elif isinstance(event, Posted | Prompted) and verbose:
        click.echo(click.style(_describe(event), dim=True))


def _show_sms_event(event: SmsEvent, texter: str, verbose: bool) -> None:
    if isinstance(event, Reply):
        to = "" if event.to == texter else f" (to {event.to})"
        click.echo(click.style(f"line> {event.body}{to}", fg="green"))
    elif isinstance(event, AppError):
        click.echo(click.style(f"Twilio: {event.code}: {event.detail} ({event.url})", fg="red"))
    elif isinstance(event, Posted) and verbose:
        click.echo(click.style(_describe(event), dim=True))


def _describe(event: Posted | Prompted) -> str:
    if isinstance(event, Posted):
        return f"  {event.method} {event.url} → {event.status}"
    return f"  {event.kind}: {event.response!r}"
