"""A voice call played the way Twilio's voice engine plays it: signed webhooks in, TwiML verbs out.

``CallSimulator.run(script)`` answers the call at ``{base_url}/twilio/voice``, executes each verb of the
returned TwiML in order, requests ``action``/``<Redirect>``/``waitUrl`` URLs with Twilio's parameters and
signature, and ends by posting the status callback. Everything that happened is in ``transcript``.

Behaviour follows Twilio's TwiML reference: ``<Gather>`` without input falls through to the next verb
(unless ``actionOnEmptyResult``), with input it requests ``action`` (default: the current document);
``<Record>`` with no audio falls through, otherwise requests ``action`` (on hang-up too, with
``Digits=hangup``, the answer being ignored); ``<Dial>`` and ``<Enqueue>`` without ``action`` continue the
current document; an unusable answer is an application error, after which Twilio requests the fallback
URL with ``ErrorCode``/``ErrorUrl`` or ends the call. Time is simulated: nothing sleeps.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol
from urllib.parse import urljoin

from tipline.simulate.caller import (
    Caller,
    DialOutcome,
    HangUp,
    Input,
    Keys,
    Prompt,
    QueueEvent,
    Recording,
    ScriptError,
    Silence,
    Speech,
    StepBudgetExceeded,
    UnsupportedTwiml,
    as_caller,
    parse_token,
)
from tipline.simulate.events import (
    AppError,
    Dialled,
    Event,
    Hungup,
    Posted,
    Prompted,
    Queued,
    Recorded,
    Utterance,
)
from tipline.simulate.params import (
    API_VERSION,
    DEMO_TWILIO_ACCOUNT_SID,
    TWILIO_API_URL,
    new_sid,
    number_params,
    rfc2822,
)
from tipline.simulate.signing import signed_headers
from tipline.simulate.transport import Response, Transport, resolve, with_query

TWIML_CONTENT_TYPES = ("text/xml", "application/xml", "text/html")
KNOWN_VERBS = {
    "Say",
    "Play",
    "Pause",
    "Gather",
    "Record",
    "Redirect",
    "Dial",
    "Enqueue",
    "Hangup",
    "Reject",
    "Leave",
    "Connect",
    "Pay",
    "Prompt",
    "Refer",
    "Sms",
    "Start",
    "Stop",
    "Echo",
    "Queue",
}
ALLOWED = {
    "main": {
        "Say",
        "Play",
        "Pause",
        "Gather",
        "Record",
        "Redirect",
        "Dial",
        "Enqueue",
        "Hangup",
        "Reject",
        "Leave",
    },
    "wait": {"Say", "Play", "Pause", "Gather", "Redirect", "Leave", "Hangup"},
    "whisper": {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup"},
}
MAX_QUEUE_SIZE = 1000

Script = Caller | Iterable[str | None] | Callable[[Prompt], str | None]


class RecordingStore(Protocol):
    """Where recordings live (the fake REST API); gives the ``RecordingSid`` and ``RecordingUrl``."""

    def add_recording(self, call_sid: str, duration: int) -> tuple[str, str]: ...


@dataclass
class _Leg:
    call_sid: str
    from_number: str
    to_number: str
    direction: str
    status: str = "ringing"
    parent_call_sid: str = ""


@dataclass(frozen=True)
class _Context:
    name: Literal["main", "wait", "whisper"]
    leg: _Leg


@dataclass(frozen=True)
class _Document:
    url: str
    verbs: list[ET.Element]


@dataclass
class _Goto:
    url: str
    method: str = "POST"
    params: list[tuple[str, str]] = field(default_factory=list)
    purpose: str = "document"
    then: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Exit:
    reason: str  # "end", "hangup", "leave", "error", "reject:busy", "reject:rejected"


class _CallerHungUp(Exception):  # noqa: N818 - control flow, not an error
    pass


class _CalleeHungUp(Exception):  # noqa: N818 - control flow, not an error
    pass


class CallSimulator:
    def __init__(
        self,
        transport: Transport,
        base_url: str,
        auth_token: str,
        from_number: str,
        to_number: str,
        call_sid: str | None = None,
        *,
        account_sid: str = DEMO_TWILIO_ACCOUNT_SID,
        voice_url: str = "/twilio/voice",
        status_callback: str | None = "/twilio/voice/status",
        fallback_url: str | None = None,
        direction: str = "inbound",
        initial_twiml: str | None = None,
        recordings: RecordingStore | None = None,
        max_steps: int = 500,
        max_queue_cycles: int = 100,
        output: Callable[[Event], None] | None = None,
    ) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/") + "/"
        self.auth_token = auth_token
        self.account_sid = account_sid
        self.call_sid = call_sid or new_sid("CA")
        self.voice_url = urljoin(self.base_url, voice_url)
        self.status_callback = urljoin(self.base_url, status_callback) if status_callback else None
        self.fallback_url = urljoin(self.base_url, fallback_url) if fallback_url else None
        self.initial_twiml = initial_twiml
        self.recordings = recordings
        self.max_steps = max_steps
        self.max_queue_cycles = max_queue_cycles
        self.output = output
        self.transcript: list[Event] = []
        self.elapsed = 0.0
        first_status = "ringing" if direction == "inbound" else "in-progress"
        self._leg = _Leg(self.call_sid, from_number, to_number, direction, first_status)
        self._steps = 0
        self._queues: dict[str, str] = {}
        self._caller: Caller = as_caller([])

    # --- public ---------------------------------------------------------------------------------------

    def run(self, script: Script = ()) -> list[Event]:
        """Play the whole call with ``script`` answering every prompt; return the transcript."""
        self._caller = as_caller(script)
        main = _Context("main", self._leg)
        end = Hungup("application", "end of document", "completed", 0)
        try:
            if self.initial_twiml is not None:
                first = self._parse(self.voice_url, Response(200, self.initial_twiml, "text/xml"))
            else:
                first = self._fetch(_Goto(self.voice_url), main)
            exit_ = self._execute(first, main) if first else _Exit("error")
            end = self._ending(exit_)
        except _CallerHungUp:
            end = Hungup("caller", "the caller hung up", "completed", 0)
        end = replace(end, duration=round(self.elapsed))
        self._leg.status = end.status
        self._emit(end)
        self._post_status_callback(end)
        return self.transcript

    @property
    def ended(self) -> Hungup | None:
        return next((event for event in self.transcript if isinstance(event, Hungup)), None)

    def utterances(self, party: str = "caller") -> list[Utterance]:
        said = (e for e in self.transcript if isinstance(e, Utterance) and e.kind == "say")
        return [utterance for utterance in said if utterance.party == party]

    def heard(self, language: str | None = None) -> list[str]:
        """The ``<Say>`` texts the caller heard, optionally only those in ``language`` (``fr-CA``…)."""
        return [u.text for u in self.utterances() if language is None or u.language == language]

    def posts(self, contains: str = "") -> list[Posted]:
        return [e for e in self.transcript if isinstance(e, Posted) and contains in e.url]

    # --- documents ------------------------------------------------------------------------------------

    def _execute(self, document: _Document, context: _Context) -> _Exit:
        while True:
            for verb in document.verbs:
                self._step()
                if verb.tag not in ALLOWED[context.name]:
                    if context.name == "main":
                        raise UnsupportedTwiml(f"<{verb.tag}> is valid TwiML the simulator does not play")
                    detail = f"<{verb.tag}> is not allowed in a {context.name} document; Twilio skips it"
                    self._emit(AppError(document.url, 12100, detail))
                    continue
                outcome = self._verb(verb, document, context)
                if isinstance(outcome, _Exit):
                    return outcome
                if isinstance(outcome, _Goto):
                    following = self._fetch(outcome, context)
                    for callback in outcome.then:
                        callback()
                    if following is None:
                        return _Exit("error")
                    document = following
                    break
            else:
                return _Exit("end")

    def _verb(self, verb: ET.Element, document: _Document, context: _Context) -> _Goto | _Exit | None:
        tag = verb.tag
        if tag in ("Say", "Play", "Pause"):
            self._play(verb, context)
            return None
        if tag == "Gather":
            return self._gather(verb, document, context)
        if tag == "Record":
            return self._record(verb, document, context)
        if tag == "Redirect":
            return _Goto(resolve(document.url, verb.text or document.url), _method(verb))
        if tag == "Dial":
            return self._dial(verb, document, context)
        if tag == "Enqueue":
            return self._enqueue(verb, document, context)
        if tag == "Hangup":
            return _Exit("hangup")
        if tag == "Reject":
            return _Exit(f"reject:{verb.get('reason') or 'rejected'}")
        if tag == "Leave":
            return _Exit("leave") if context.name == "wait" else None
        raise UnsupportedTwiml(f"<{tag}> is valid TwiML that the simulator does not play")

    def _fetch(self, goto: _Goto, context: _Context) -> _Document | None:
        """Request a TwiML document; on an unusable answer, log the error and try the fallback URL."""
        self._step()
        params = [*self._standard_params(context.leg), *goto.params]
        response = self._request(goto.method, goto.url, params, goto.purpose)
        document = self._parse(goto.url, response)
        if document is not None or context.name != "main":
            return document
        if self.fallback_url and goto.url != self.fallback_url:
            error = next(e for e in reversed(self.transcript) if isinstance(e, AppError))
            fallback_params = [*goto.params, ("ErrorCode", str(error.code)), ("ErrorUrl", goto.url)]
            return self._fetch(_Goto(self.fallback_url, "POST", fallback_params, "fallback"), context)
        return None

    def _parse(self, url: str, response: Response) -> _Document | None:
        if not response.ok:
            return self._error(url, 11200, f"HTTP retrieval failure: status {response.status}")
        media_type = response.content_type.split(";")[0].strip().lower()
        if media_type not in TWIML_CONTENT_TYPES:
            return self._error(url, 12300, f"invalid Content-Type {response.content_type!r}")
        try:
            root = ET.fromstring(response.body.strip())  # noqa: S314 - TwiML from the application under test
        except ET.ParseError as error:
            return self._error(url, 12100, f"document parse failure: {error}")
        if root.tag != "Response":
            return self._error(url, 12100, f"the root element is <{root.tag}>, not <Response>")
        unknown = [child.tag for child in root if child.tag not in KNOWN_VERBS]
        if unknown:
            return self._error(url, 12100, f"unknown verb <{unknown[0]}>")
        return _Document(url, list(root))

    def _error(self, url: str, code: int, detail: str) -> _Document | None:
        self._emit(AppError(url, code, detail))
        return None

    def _request(self, method: str, url: str, params: list[tuple[str, str]], purpose: str) -> Response:
        if method == "GET":
            url, params = with_query(url, params), []
        try:
            if method == "GET":
                response = self.transport.get(url, signed_headers(self.auth_token, url, []))
            else:
                response = self.transport.post(url, params, signed_headers(self.auth_token, url, params))
        except OSError as error:  # connection refused, timeout: Twilio's 11200 as well
            response = Response(599, str(error), "")
        self._emit(Posted(method, url, tuple(params), response.status, purpose))
        return response

    def _notify(self, url: str, method: str, params: list[tuple[str, str]], purpose: str) -> None:
        """A callback whose answer Twilio ignores (status callbacks, actions after a hang-up)."""
        self._request(method, url, params, purpose)

    # --- verbs ----------------------------------------------------------------------------------------

    def _play(self, verb: ET.Element, context: _Context) -> None:
        party: Literal["caller", "callee"] = "callee" if context.name == "whisper" else "caller"
        loop = int(verb.get("loop") or 1)
        if verb.tag == "Say":
            text = " ".join("".join(verb.itertext()).split())
            utterance = Utterance(text, verb.get("language") or "en-US", verb.get("voice") or "", "say", loop, party)
            self.elapsed += max(1.0, len(text.split()) * 0.4) * max(loop, 1)
        elif verb.tag == "Play":
            text = (verb.text or "").strip() or f"DTMF {verb.get('digits', '')}"
            utterance = Utterance(text, "", "", "play", loop, party)
            self.elapsed += 5 * max(loop, 1)
        else:
            length = int(verb.get("length") or 1)
            utterance = Utterance(f"{length}s", "", "", "pause", 1, party)
            self.elapsed += length
        self._emit(utterance)

    def _gather(self, verb: ET.Element, document: _Document, context: _Context) -> _Goto | None:
        for child in verb:
            if child.tag in ("Say", "Play", "Pause"):
                self._play(child, context)
        inputs = tuple((verb.get("input") or "dtmf").split())
        num_digits = int(verb.get("numDigits") or 0) or None
        finish_on_key = verb.get("finishOnKey", "#")
        timeout = int(verb.get("timeout") or 5)
        prompt = Prompt(
            "gather",
            _party(context),
            inputs,
            num_digits,
            finish_on_key,
            timeout,
            language=verb.get("language") or "en-US",
            hints=verb.get("hints") or "",
        )
        answer = self._ask(prompt)
        params: list[tuple[str, str]] = []
        if isinstance(answer, Keys) and "dtmf" in inputs:
            digits = _collect_digits(answer.digits, num_digits, finish_on_key)
            if digits:
                params = [("Digits", digits)]
        elif isinstance(answer, Speech) and "speech" in inputs:
            params = [("SpeechResult", answer.text), ("Confidence", f"{answer.confidence:.2f}")]
        self.elapsed += 3 if params else timeout
        if not params and verb.get("actionOnEmptyResult", "false").lower() != "true":
            return None
        action = resolve(document.url, verb.get("action") or document.url)
        return _Goto(action, _method(verb), params, "gather")

    def _record(self, verb: ET.Element, document: _Document, context: _Context) -> _Goto | None:
        finish_on_key = verb.get("finishOnKey", "1234567890*#")
        max_length = int(verb.get("maxLength") or 3600) or 3600
        timeout = int(verb.get("timeout") or 5)
        if verb.get("playBeep", "true").lower() != "false":
            self._emit(Utterance("beep", "", "", "beep", 1, _party(context)))
        answer = self._ask(Prompt("record", _party(context), finish_on_key=finish_on_key, timeout=timeout))
        if isinstance(answer, Silence) or (isinstance(answer, Recording) and answer.seconds == 0):
            self.elapsed += timeout
            if isinstance(answer, Recording) and answer.ended_by == "hangup":
                raise _CallerHungUp
            return None  # no audio: Twilio does not request the action URL and moves on
        assert isinstance(answer, Recording)
        if answer.ended_by not in (None, "hangup") and answer.ended_by not in finish_on_key:
            raise ScriptError(f"{answer.ended_by!r} cannot end a recording (finishOnKey {finish_on_key!r})")
        seconds = min(answer.seconds, max_length)
        self.elapsed += seconds
        if self.recordings is not None:
            sid, url = self.recordings.add_recording(context.leg.call_sid, seconds)
        else:
            sid = new_sid("RE")
            url = f"{TWILIO_API_URL}/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{sid}"
        self._emit(Recorded(sid, url, seconds, answer.ended_by))
        params = [("RecordingUrl", url), ("RecordingSid", sid), ("RecordingDuration", str(seconds))]
        if answer.ended_by:
            params.append(("Digits", answer.ended_by))
        action = resolve(document.url, verb.get("action") or document.url)
        status_callback = verb.get("recordingStatusCallback")
        then: list[Callable[[], None]] = []
        if status_callback:
            callback_url = resolve(document.url, status_callback)
            callback_params = [
                ("AccountSid", self.account_sid),
                ("CallSid", context.leg.call_sid),
                ("RecordingSid", sid),
                ("RecordingUrl", url),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", str(seconds)),
                ("RecordingChannels", "1"),
                ("RecordingStartTime", rfc2822()),
                ("RecordingSource", "RecordVerb"),
                ("RecordingTrack", "inbound"),
            ]
            method = (verb.get("recordingStatusCallbackMethod") or "POST").upper()
            then.append(lambda: self._notify(callback_url, method, callback_params, "recording-status"))
        if answer.ended_by == "hangup":
            context.leg.status = "completed"
            self._notify(action, _method(verb), [*self._standard_params(context.leg), *params], "record")
            for callback in then:
                callback()
            raise _CallerHungUp
        return _Goto(action, _method(verb), params, "record", then)

    def _dial(self, verb: ET.Element, document: _Document, context: _Context) -> _Goto | _Exit | None:
        nouns = list(verb)
        if any(noun.tag == "Conference" for noun in nouns):
            raise UnsupportedTwiml("<Dial><Conference> is not simulated")
        targets = tuple((noun.text or "").strip() for noun in nouns) or ((verb.text or "").strip(),)
        noun_name = nouns[0].tag.lower() if nouns else "number"
        timeout = int(verb.get("timeout") or 30)
        answer = self._ask(Prompt("dial", targets=targets, timeout=timeout), hang_up=False)
        if isinstance(answer, HangUp):
            outcome = DialOutcome("canceled", 0, True)
        elif isinstance(answer, Silence):
            outcome = DialOutcome("no-answer", 0, False)
        else:
            assert isinstance(answer, DialOutcome)
            outcome = answer
        child = _Leg(
            new_sid("CA"),
            verb.get("callerId") or context.leg.from_number,
            targets[0],
            "outbound-dial",
            "in-progress",
            context.leg.call_sid,
        )
        status, bridged, talked = outcome.status, False, 0
        if status in ("completed", "answered"):
            accepted = self._whisper(nouns[0], document, child) if nouns and nouns[0].get("url") else True
            status, bridged, talked = "completed", accepted, outcome.seconds if accepted else 0
            self.elapsed += talked
        else:
            self.elapsed += timeout if status == "no-answer" else 1
        self._emit(Dialled(targets, noun_name, status, talked, verb.get("callerId") or ""))
        params = [
            ("DialCallStatus", status),
            ("DialCallSid", child.call_sid),
            ("DialCallDuration", str(talked)),
            ("DialBridged", str(bridged).lower()),
        ]
        return self._verb_ended(verb, document, context, params, "dial", caller_gone=outcome.caller_hangs_up)

    def _whisper(self, number: ET.Element, document: _Document, child: _Leg) -> bool:
        """Run a ``<Number url>`` document on the called party's leg; False when it hangs up on the caller."""
        context = _Context("whisper", child)
        whisper = self._fetch(
            _Goto(resolve(document.url, number.get("url") or ""), _method(number), [], "whisper"), context
        )
        if whisper is None:
            return False
        try:
            return self._execute(whisper, context).reason == "end"
        except _CalleeHungUp:
            return False

    def _enqueue(self, verb: ET.Element, document: _Document, context: _Context) -> _Goto | _Exit | None:
        name = (verb.text or "").strip()
        queue_sid = self._queues.setdefault(name, new_sid("QU"))
        self._emit(Utterance(f"waiting in queue {name}", "", "", "hold"))
        wait_url = verb.get("waitUrl")
        started = self.elapsed
        result, caller_gone = "error", False
        extra: list[tuple[str, str]] = []
        for _cycle in range(self.max_queue_cycles):
            queue_time = str(round(self.elapsed - started))
            if wait_url:
                wait_params = [
                    ("QueuePosition", "1"),
                    ("QueueSid", queue_sid),
                    ("QueueTime", queue_time),
                    ("AvgQueueTime", queue_time),
                    ("CurrentQueueSize", "1"),
                    ("MaxQueueSize", str(MAX_QUEUE_SIZE)),
                ]
                wait = _Context("wait", context.leg)
                try:
                    waiting = self._fetch(
                        _Goto(
                            resolve(document.url, wait_url),
                            (verb.get("waitUrlMethod") or "POST").upper(),
                            wait_params,
                            "wait",
                        ),
                        wait,
                    )
                    reason = self._execute(waiting, wait).reason if waiting else "error"
                except _CallerHungUp:
                    result, caller_gone = "hangup", True
                    break
                if reason in ("leave", "error", "hangup"):
                    result, caller_gone = reason, reason == "hangup"
                    break
            else:
                self._emit(Utterance("hold music", "", "", "hold"))
            answer = self._ask(Prompt("queue", queue=name), hang_up=False)
            if isinstance(answer, HangUp):
                result, caller_gone = "hangup", True
                break
            event = answer if isinstance(answer, QueueEvent) else QueueEvent("wait", 15, False)
            if event.action == "bridged":
                self.elapsed += event.seconds
                result, caller_gone = "bridged", event.caller_hangs_up
                extra = [("DequeingCallSid", new_sid("CA"))]
                break
            self.elapsed += event.seconds
        else:
            raise StepBudgetExceeded(f"still waiting in queue {name!r} after {self.max_queue_cycles} cycles")
        queue_time = str(round(self.elapsed - started))
        self._emit(Queued(name, result, int(queue_time)))
        params = [("QueueResult", result), ("QueueSid", queue_sid), ("QueueTime", queue_time), *extra]
        return self._verb_ended(verb, document, context, params, "enqueue", caller_gone=caller_gone)

    def _verb_ended(
        self,
        verb: ET.Element,
        document: _Document,
        context: _Context,
        params: list[tuple[str, str]],
        purpose: str,
        *,
        caller_gone: bool,
    ) -> _Goto | None:
        """A <Dial> or <Enqueue> is over: Twilio requests its action (if any) — and if the caller hung up, it
        still posts the action, ignores the answer, and the call ends."""
        action = verb.get("action")
        if caller_gone:
            context.leg.status = "completed"
            if action:
                self._notify(
                    resolve(document.url, action),
                    _method(verb),
                    [*self._standard_params(context.leg), *params],
                    purpose,
                )
            raise _CallerHungUp
        if action:
            return _Goto(resolve(document.url, action), _method(verb), params, purpose)
        return None

    # --- plumbing -------------------------------------------------------------------------------------

    def _ask(self, prompt: Prompt, hang_up: bool = True) -> Input:
        """The caller's answer; a hang-up unwinds the call unless the verb handles it (``hang_up=False``)."""
        self._step()
        token = self._caller.respond(prompt)
        answer = parse_token(prompt, token)
        detail = {
            "inputs": " ".join(prompt.inputs),
            "targets": " ".join(prompt.targets),
            "queue": prompt.queue,
        }
        self._emit(Prompted(prompt.kind, token, prompt.party, {key: v for key, v in detail.items() if v}))
        if isinstance(answer, HangUp) and prompt.party == "callee":
            raise _CalleeHungUp
        if isinstance(answer, HangUp) and hang_up:
            raise _CallerHungUp
        return answer

    def _emit(self, event: Event) -> None:
        self.transcript.append(event)
        if self.output is not None:
            self.output(event)
        if isinstance(event, Utterance) and event.party == "caller" and self._caller.hears(event):
            raise _CallerHungUp

    def _step(self) -> None:
        self._steps += 1
        if self._steps > self.max_steps:
            raise StepBudgetExceeded(f"the call took more than {self.max_steps} steps; is the IVR looping?")

    def _standard_params(self, leg: _Leg) -> list[tuple[str, str]]:
        params = [
            ("AccountSid", self.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", leg.call_sid),
            ("CallStatus", leg.status),
            ("Called", leg.to_number),
            *number_params("Called", leg.to_number),
            ("Caller", leg.from_number),
            *number_params("Caller", leg.from_number),
            ("Direction", leg.direction),
            ("From", leg.from_number),
            *number_params("From", leg.from_number),
            ("To", leg.to_number),
            *number_params("To", leg.to_number),
        ]
        if leg.parent_call_sid:
            params.append(("ParentCallSid", leg.parent_call_sid))
        if leg.status == "ringing":
            leg.status = "in-progress"  # every later request is for an answered call
        return params

    def _ending(self, exit_: _Exit) -> Hungup:
        if exit_.reason.startswith("reject:"):
            status = "busy" if exit_.reason == "reject:busy" else "no-answer"
            return Hungup("application", "<Reject>", status, 0)
        if exit_.reason == "error":
            return Hungup("error", "an application error has occurred", "completed", 0)
        if exit_.reason == "hangup":
            return Hungup("application", "<Hangup>", "completed", 0)
        return Hungup("application", "end of document", "completed", 0)

    def _post_status_callback(self, end: Hungup) -> None:
        if not self.status_callback:
            return
        params = [
            *self._standard_params(self._leg),
            ("CallDuration", str(end.duration)),
            ("Timestamp", rfc2822()),
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", "0"),
        ]
        self._notify(self.status_callback, "POST", params, "status")


def _method(element: ET.Element) -> str:
    return (element.get("method") or "POST").upper()


def _party(context: _Context) -> Literal["caller", "callee"]:
    return "callee" if context.name == "whisper" else "caller"


def _collect_digits(pressed: str, num_digits: int | None, finish_on_key: str) -> str:
    """What Twilio submits as ``Digits`` for the keys pressed: up to a finish key, at most ``numDigits``."""
    digits = ""
    for key in pressed.replace("w", ""):
        if finish_on_key and key in finish_on_key:
            return digits
        digits += key
        if num_digits is not None and len(digits) >= num_digits:
            return digits
    return digits
