"""A local stand-in for Twilio's REST API, for the real ``twilio`` client to talk to in tests and benches.

    with FakeTwilioApi(callback_transport=FlaskClientTransport(app.test_client())) as api:
        client = api.client()                       # or TWILIO_API_URL=api.base_url
        api.set_message_outcome("+15145550123", "undelivered", error_code=30003)
        ...                                         # the application sends through the client
        api.deliver_pending()                       # signed status callbacks, now, in order

Messages, calls, recordings and media answer with Twilio's JSON shapes and Twilio's error codes; HTTP
Basic auth is checked as Twilio checks it. Every request is recorded. Status callbacks are never sent on
their own: creating a message or call *plans* them (``pending_callbacks``), and the test delivers them
with ``deliver_pending()`` or ``deliver_status(sid, status)``, so nothing depends on timers or sleeps.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tipline.simulate.call import CallSimulator
from tipline.simulate.params import (
    API_VERSION,
    DEMO_TWILIO_ACCOUNT_SID,
    DEMO_TWILIO_AUTH_TOKEN,
    count_segments,
    is_e164,
    new_sid,
    number_params,
    rfc2822,
)
from tipline.simulate.signing import signed_headers
from tipline.simulate.transport import HttpTransport, Response, Transport, with_query
from tipline.twilio_client import twilio_client_for

# A tiny valid WAV (44-byte header, 0.1 s of 8 kHz mono silence) and MP3 frame header, for media downloads.
WAV_BYTES = (
    b"RIFF"
    + (36 + 800).to_bytes(4, "little")
    + b"WAVEfmt "
    + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (8000).to_bytes(4, "little")
    + (8000).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (8).to_bytes(2, "little")
    + b"data"
    + (800).to_bytes(4, "little")
    + b"\x80" * 800
)
MP3_BYTES = b"\xff\xfb\x90\x64" + b"\x00" * 413
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

FINAL_MESSAGE_STATUSES = ("delivered", "undelivered", "failed", "read")
FINAL_CALL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
_ACCOUNT = r"/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})"


@dataclass(frozen=True)
class ApiRequest:
    """One request the fake API received."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    at: datetime
    authorized: bool
    status: int = 0

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)

    def params_named(self, name: str) -> list[str]:
        return [value for key, value in self.params if key == name]


@dataclass(frozen=True)
class StatusCallback:
    """A status callback the fake API will post, or posted."""

    sid: str
    url: str
    method: str
    params: tuple[tuple[str, str], ...]


@dataclass
class _Outcome:
    status: str
    error_code: int | None = None
    duration: int = 0
    answered_by: str | None = None


@dataclass
class _Media:
    sid: str
    parent_sid: str
    content_type: str
    content: bytes
    created: str


@dataclass
class _State:
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    recordings: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, _Media] = field(default_factory=dict)
    callbacks: dict[str, tuple[str, str]] = field(default_factory=dict)  # sid -> (url, method)
    call_events: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending: list[StatusCallback] = field(default_factory=list)
    delivered: list[tuple[StatusCallback, int]] = field(default_factory=list)


class TwilioApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def payload(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
        }


class FakeTwilioApi:
    def __init__(
        self,
        account_sid: str = DEMO_TWILIO_ACCOUNT_SID,
        auth_token: str = DEMO_TWILIO_AUTH_TOKEN,
        *,
        callback_transport: Transport | None = None,
        media_requires_auth: bool = True,
        owned_numbers: set[str] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callback_transport: Transport = callback_transport or HttpTransport()
        self.media_requires_auth = media_requires_auth
        self.owned_numbers = owned_numbers
        self.now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._state = _State()
        self._requests: list[ApiRequest] = []
        self._message_outcomes: dict[str, _Outcome] = {}
        self._call_outcomes: dict[str, _Outcome] = {}
        self._opted_out: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._clients: list[Any] = []

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTwilioApi:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
            self._server.daemon_threads = True
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fake-twilio-api", kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        for client in self._clients:
            session = getattr(client.http_client, "session", None)
            if session is not None:
                session.close()
        self._clients.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeTwilioApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Twilio API is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def client(self) -> Any:
        """A real ``twilio.rest.Client`` talking to this server (closed when the server stops)."""
        client = twilio_client_for(self.base_url, self.account_sid, self.auth_token)
        self._clients.append(client)
        return client

    # --- test configuration ---------------------------------------------------------------------------

    def set_message_outcome(self, to: str, status: str = "delivered", error_code: int | None = None) -> None:
        """Messages to ``to`` end ``status`` (``undelivered`` with 30003, ``failed`` with 30006…)."""
        if status not in FINAL_MESSAGE_STATUSES:
            raise ValueError(f"not a final message status: {status}")
        self._message_outcomes[to] = _Outcome(status, error_code)

    def set_call_outcome(
        self, to: str, status: str = "completed", duration: int = 30, answered_by: str | None = None
    ) -> None:
        """Calls to ``to`` end ``status`` (``no-answer``, ``busy``, ``failed``) after ``duration`` s."""
        if status not in FINAL_CALL_STATUSES:
            raise ValueError(f"not a final call status: {status}")
        self._call_outcomes[to] = _Outcome(status, None, duration if status == "completed" else 0, answered_by)

    def opt_out(self, *numbers: str) -> None:
        """These numbers replied STOP: sending them a message fails with 21610."""
        self._opted_out.update(numbers)

    # --- what happened --------------------------------------------------------------------------------

    @property
    def requests(self) -> list[ApiRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, resource: str, method: str | None = None) -> list[ApiRequest]:
        """Requests whose path contains ``resource`` (``"Messages.json"``, ``"/Calls/CA…"``)."""
        return [r for r in self.requests if resource in r.path and (method is None or r.method == method)]

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(message) for message in self._state.messages.values()]

    @property
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(call) for call in self._state.calls.values()]

    def message(self, sid: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._state.messages[sid])

    def call(self, sid: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._state.calls[sid])

    def recording_exists(self, sid: str) -> bool:
        with self._lock:
            return sid in self._state.recordings

    # --- resources other simulators create --------------------------------------------------------------

    def add_recording(self, call_sid: str, duration: int) -> tuple[str, str]:
        """Store a recording as ``<Record>`` would; returns ``(RecordingSid, RecordingUrl)``."""
        sid = new_sid("RE")
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{sid}"
        created = rfc2822(self.now())
        with self._lock:
            self._state.recordings[sid] = {
                "account_sid": self.account_sid,
                "api_version": API_VERSION,
                "call_sid": call_sid,
                "conference_sid": None,
                "channels": 1,
                "date_created": created,
                "date_updated": created,
                "start_time": created,
                "duration": str(duration),
                "sid": sid,
                "price": None,
                "price_unit": "USD",
                "status": "completed",
                "source": "RecordVerb",
                "error_code": None,
                "encryption_details": None,
                "track": "inbound",
                "uri": f"{path}.json",
                "media_url": f"{self.base_url}{path}",
                "subresource_uris": {
                    "transcriptions": f"{path}/Transcriptions.json",
                    "add_on_results": f"{path}/AddOnResults.json",
                },
            }
        return sid, f"{self.base_url}{path}"

    def add_media(self, message_sid: str, content_type: str = "image/jpeg", content: bytes = JPEG_BYTES) -> str:
        """Store an inbound MMS attachment; returns its ``MediaUrl``."""
        sid = new_sid("ME")
        with self._lock:
            self._state.media[sid] = _Media(sid, message_sid, content_type, content, rfc2822(self.now()))
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{sid}"

    def call_simulator(self, call_sid: str, transport: Transport, **options: Any) -> CallSimulator:
        """The called party picks up an outbound call: play its ``Url``/``Twiml`` with a ``CallSimulator``."""
        call = self.call(call_sid)
        url = call["_url"] or ""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url)) if url else "http://localhost"
        options.setdefault("status_callback", None)
        return CallSimulator(
            transport,
            origin,
            self.auth_token,
            call["from"],
            call["to"],
            call_sid,
            account_sid=self.account_sid,
            voice_url=url or "/",
            direction="outbound-api",
            initial_twiml=call["_twiml"],
            recordings=self,
            **options,
        )

    # --- status callbacks -----------------------------------------------------------------------------

    @property
    def pending_callbacks(self) -> list[StatusCallback]:
        with self._lock:
            return list(self._state.pending)

    @property
    def delivered_callbacks(self) -> list[tuple[StatusCallback, int]]:
        with self._lock:
            return list(self._state.delivered)

    def deliver_pending(self, sid: str | None = None) -> list[Response]:
        """Post the planned status callbacks (all, or those of ``sid``), in order."""
        with self._lock:
            chosen = [c for c in self._state.pending if sid is None or c.sid == sid]
            self._state.pending = [c for c in self._state.pending if c not in chosen]
        return [self._post(callback) for callback in chosen]

    def deliver_status(
        self,
        sid: str,
        status: str,
        *,
        error_code: int | None = None,
        duration: int | None = None,
        answered_by: str | None = None,
    ) -> Response:
        """Move a message or call to ``status`` now and post its status callback."""
        with self._lock:
            if sid in self._state.messages:
                callback = self._message_callback(sid, status, error_code)
            elif sid in self._state.calls:
                callback = self._call_callback(sid, status, duration, answered_by)
            else:
                raise KeyError(f"no message or call {sid}")
            self._state.pending = [c for c in self._state.pending if c.sid != sid]
        if callback is None:
            raise ValueError(f"{sid} was created without a StatusCallback")
        return self._post(callback)

    def _post(self, callback: StatusCallback) -> Response:
        params = list(callback.params)
        self._apply(callback)
        if callback.method == "GET":
            url = with_query(callback.url, params)
            response = self.callback_transport.get(url, signed_headers(self.auth_token, url, []))
        else:
            headers = signed_headers(self.auth_token, callback.url, params)
            response = self.callback_transport.post(callback.url, params, headers)
        with self._lock:
            self._state.delivered.append((callback, response.status))
        return response

    def _apply(self, callback: StatusCallback) -> None:
        """Update the resource to what its callback announces."""
        values = dict(callback.params)
        with self._lock:
            if callback.sid in self._state.messages:
                message = self._state.messages[callback.sid]
                message["status"] = values["MessageStatus"]
                if "ErrorCode" in values:
                    message["error_code"] = int(values["ErrorCode"])
                if values["MessageStatus"] in ("sent", "delivered"):
                    message["date_sent"] = message["date_sent"] or rfc2822(self.now())
            elif callback.sid in self._state.calls:
                call = self._state.calls[callback.sid]
                call["status"] = values["CallStatus"]
                call["date_updated"] = rfc2822(self.now())
                if "CallDuration" in values:
                    call["duration"] = values["CallDuration"]
                    call["end_time"] = rfc2822(self.now())

    def _message_callback(self, sid: str, status: str, error_code: int | None) -> StatusCallback | None:
        message = self._state.messages[sid]
        target = self._state.callbacks.get(sid)
        if target is None:
            return None
        params = [
            ("AccountSid", self.account_sid),
            ("ApiVersion", API_VERSION),
            ("From", message["from"] or ""),
            ("To", message["to"]),
            ("MessageSid", sid),
            ("MessageStatus", status),
            ("SmsSid", sid),
            ("SmsStatus", status),
        ]
        if message["messaging_service_sid"]:
            params.append(("MessagingServiceSid", message["messaging_service_sid"]))
        if error_code is not None:
            params.append(("ErrorCode", str(error_code)))
        return StatusCallback(sid, target[0], target[1], tuple(params))

    def _call_callback(
        self, sid: str, status: str, duration: int | None, answered_by: str | None
    ) -> StatusCallback | None:
        call = self._state.calls[sid]
        target = self._state.callbacks.get(sid)
        if target is None:
            return None
        params = [
            ("AccountSid", self.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", sid),
            ("CallStatus", status),
            ("Called", call["to"]),
            *number_params("Called", call["to"]),
            ("Caller", call["from"]),
            *number_params("Caller", call["from"]),
            ("Direction", "outbound-api"),
            ("From", call["from"]),
            *number_params("From", call["from"]),
            ("To", call["to"]),
            *number_params("To", call["to"]),
            ("Timestamp", rfc2822(self.now())),
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", str(sum(1 for c, _ in self._state.delivered if c.sid == sid))),
        ]
        if status in FINAL_CALL_STATUSES:
            seconds = duration or 0
            params += [("CallDuration", str(seconds)), ("Duration", str(-(-seconds // 60)))]
        if answered_by:
            params.append(("AnsweredBy", answered_by))
        return StatusCallback(sid, target[0], target[1], tuple(params))

    # --- the REST API ---------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, body: bytes, authorization: str) -> tuple[int, str, bytes]:
        """Serve one request: ``(status, content type, body)``. Runs on the server's threads."""
        path = urlsplit(raw_path).path
        params = tuple(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        authorized = self._authorized(authorization)
        try:
            status, content_type, payload = self._route(method, path, params, authorized)
        except TwilioApiError as error:
            status, content_type = error.status, "application/json"
            payload = json.dumps(error.payload()).encode()
        with self._lock:
            self._requests.append(ApiRequest(method, path, params, self.now(), authorized, status))
        return status, content_type, payload

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(password, self.auth_token)

    def _route(
        self, method: str, path: str, params: tuple[tuple[str, str], ...], authorized: bool
    ) -> tuple[int, str, bytes]:
        match = re.match(_ACCOUNT + r"(?P<rest>/.*)$", path)
        if match is None:
            raise TwilioApiError(404, 20404, f"The requested resource {path} was not found")
        rest = match["rest"]
        media = re.match(
            r"^/(?:Recordings/(?P<re>RE\w{32})(?P<ext>\.wav|\.mp3)?|Messages/(?P<parent>\w{34})"
            r"/Media/(?P<me>ME\w{32}))$",
            rest,
        )
        if media and method == "GET" and not (authorized or not self.media_requires_auth):
            raise TwilioApiError(401, 20003, "Authenticate")
        if not (media and method == "GET") and not authorized:
            raise TwilioApiError(401, 20003, "Authenticate")
        if match["account"] != self.account_sid:
            raise TwilioApiError(404, 20404, f"The requested resource {path} was not found")
        form = _Form(params)
        routes: list[tuple[str, str, Callable[..., tuple[int, str, bytes]]]] = [
            ("POST", r"^/Messages\.json$", lambda: self._create_message(form)),
            ("GET", r"^/Messages/(?P<sid>\w{34})\.json$", lambda sid: self._json(200, self._message(sid))),
            ("POST", r"^/Messages/(?P<sid>\w{34})\.json$", lambda sid: self._update_message(sid, form)),
            ("DELETE", r"^/Messages/(?P<sid>\w{34})\.json$", lambda sid: self._delete("messages", sid)),
            (
                "GET",
                r"^/Messages/(?P<parent>\w{34})/Media/(?P<sid>ME\w{32})\.json$",
                lambda parent, sid: self._json(200, self._media_json(parent, sid)),
            ),
            (
                "DELETE",
                r"^/Messages/(?P<parent>\w{34})/Media/(?P<sid>ME\w{32})(?:\.json)?$",
                lambda parent, sid: self._delete_media(parent, sid),
            ),
            (
                "GET",
                r"^/Messages/(?P<parent>\w{34})/Media/(?P<sid>ME\w{32})$",
                lambda parent, sid: self._media_content(parent, sid),
            ),
            ("POST", r"^/Calls\.json$", lambda: self._create_call(form)),
            ("GET", r"^/Calls/(?P<sid>CA\w{32})\.json$", lambda sid: self._json(200, self._call(sid))),
            ("POST", r"^/Calls/(?P<sid>CA\w{32})\.json$", lambda sid: self._update_call(sid, form)),
            ("GET", r"^/Recordings/(?P<sid>RE\w{32})\.json$", lambda sid: self._json(200, self._recording(sid))),
            ("DELETE", r"^/Recordings/(?P<sid>RE\w{32})(?:\.json)?$", lambda sid: self._delete("recordings", sid)),
            (
                "GET",
                r"^/Recordings/(?P<sid>RE\w{32})(?P<ext>\.wav|\.mp3)?$",
                lambda sid, ext: self._recording_content(sid, ext),
            ),
        ]
        for route_method, pattern, action in routes:
            found = re.match(pattern, rest)
            if found and route_method == method:
                return action(**found.groupdict())
        if any(re.match(pattern, rest) for _, pattern, _ in routes):
            raise TwilioApiError(405, 20004, "Method not allowed")
        raise TwilioApiError(404, 20404, f"The requested resource {path} was not found")

    def _json(self, status: int, payload: dict[str, Any]) -> tuple[int, str, bytes]:
        public = {key: value for key, value in payload.items() if not key.startswith("_")}
        return status, "application/json; charset=utf-8", json.dumps(public).encode()

    def _not_found(self, path: str) -> TwilioApiError:
        return TwilioApiError(404, 20404, f"The requested resource {path} was not found")

    # messages

    def _create_message(self, form: _Form) -> tuple[int, str, bytes]:
        to, sender, body = form.get("To"), form.get("From"), form.get("Body")
        service, media = form.get("MessagingServiceSid"), form.all("MediaUrl")
        if not to:
            raise TwilioApiError(400, 21604, "A 'To' phone number is required.")
        if not is_e164(to.removeprefix("whatsapp:")):
            raise TwilioApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not sender and not service:
            raise TwilioApiError(400, 21603, "A 'From' phone number is required.")
        if sender and self.owned_numbers is not None and sender not in self.owned_numbers:
            raise TwilioApiError(
                400,
                21606,
                f"The From phone number {sender} is not a valid, SMS-capable "
                "inbound phone number or short code for your account.",
            )
        if not body and not media:
            raise TwilioApiError(400, 21602, "Message body is required.")
        if body and len(body) > 1600:
            raise TwilioApiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        if to in self._opted_out:
            raise TwilioApiError(400, 21610, "Attempt to send to unsubscribed recipient")
        sid, created = new_sid("MM" if media else "SM"), rfc2822(self.now())
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        message = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body or "",
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service,
            "num_media": str(len(media)),
            "num_segments": str(count_segments(body or "")),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if sender else "accepted",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
            "_media_urls": media,
        }
        with self._lock:
            self._state.messages[sid] = message
            callback = form.get("StatusCallback")
            if callback:
                self._state.callbacks[sid] = (callback, "POST")
                outcome = self._message_outcomes.get(to, _Outcome("delivered"))
                steps = [("sent", None)] if outcome.status != "failed" else []
                for status, code in [*steps, (outcome.status, outcome.error_code)]:
                    planned = self._message_callback(sid, status, code)
                    if planned is not None:
                        self._state.pending.append(planned)
        return self._json(201, message)

    def _message(self, sid: str) -> dict[str, Any]:
        with self._lock:
            if sid not in self._state.messages:
                raise self._not_found(f"/Messages/{sid}.json")
            return dict(self._state.messages[sid])

    def _update_message(self, sid: str, form: _Form) -> tuple[int, str, bytes]:
        with self._lock:
            message = self._state.messages.get(sid)
            if message is None:
                raise self._not_found(f"/Messages/{sid}.json")
            if form.get("Body") == "":
                message["body"] = ""  # redaction
            if form.get("Status") == "canceled":
                if message["status"] not in ("scheduled", "queued", "accepted"):
                    raise TwilioApiError(400, 30409, "Message cannot be canceled")
                message["status"] = "canceled"
            message["date_updated"] = rfc2822(self.now())
            return self._json(200, message)

    def _delete(self, kind: str, sid: str) -> tuple[int, str, bytes]:
        with self._lock:
            store: dict[str, dict[str, Any]] = getattr(self._state, kind)
            if store.pop(sid, None) is None:
                raise self._not_found(f"/{kind.title()}/{sid}.json")
        return 204, "", b""

    def _media_json(self, parent: str, sid: str) -> dict[str, Any]:
        with self._lock:
            media = self._state.media.get(sid)
        if media is None or media.parent_sid != parent:
            raise self._not_found(f"/Messages/{parent}/Media/{sid}.json")
        return {
            "account_sid": self.account_sid,
            "content_type": media.content_type,
            "date_created": media.created,
            "date_updated": media.created,
            "parent_sid": parent,
            "sid": sid,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{parent}/Media/{sid}.json",
        }

    def _media_content(self, parent: str, sid: str) -> tuple[int, str, bytes]:
        with self._lock:
            media = self._state.media.get(sid)
        if media is None or media.parent_sid != parent:
            raise self._not_found(f"/Messages/{parent}/Media/{sid}")
        return 200, media.content_type, media.content

    def _delete_media(self, parent: str, sid: str) -> tuple[int, str, bytes]:
        with self._lock:
            media = self._state.media.get(sid)
            if media is None or media.parent_sid != parent:
                raise self._not_found(f"/Messages/{parent}/Media/{sid}.json")
            del self._state.media[sid]
        return 204, "", b""

    # calls

    def _create_call(self, form: _Form) -> tuple[int, str, bytes]:
        to, sender = form.get("To"), form.get("From")
        if not to:
            raise TwilioApiError(400, 21201, "No 'To' number is specified")
        if not sender:
            raise TwilioApiError(400, 21213, "No 'From' number is specified")
        if not (is_e164(to) or to.startswith(("client:", "sip:"))):
            raise TwilioApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not is_e164(sender):
            raise TwilioApiError(400, 21212, f"Invalid 'From' Phone Number: {sender}")
        url, twiml = form.get("Url"), form.get("Twiml")
        if not url and not twiml and not form.get("ApplicationSid"):
            raise TwilioApiError(400, 21205, "Url parameter is required.")
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise TwilioApiError(400, 21205, f"Url is not a valid URL: {url}")
        sid, created = new_sid("CA"), rfc2822(self.now())
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}"
        call = {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": created,
            "date_updated": created,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": sender,
            "from_formatted": sender,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "to": to,
            "to_formatted": to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
            "subresource_uris": {
                "recordings": f"{uri}/Recordings.json",
                "events": f"{uri}/Events.json",
                "notifications": f"{uri}/Notifications.json",
            },
            "_url": url,
            "_method": (form.get("Method") or "POST").upper(),
            "_twiml": twiml,
            "_timeout": form.get("Timeout") or "60",
            "_machine_detection": form.get("MachineDetection"),
        }
        events = tuple(event for value in form.all("StatusCallbackEvent") for event in value.split()) or ("completed",)
        with self._lock:
            self._state.calls[sid] = call
            callback = form.get("StatusCallback")
            if callback:
                self._state.callbacks[sid] = (callback, (form.get("StatusCallbackMethod") or "POST").upper())
                self._state.call_events[sid] = events
                outcome = self._call_outcomes.get(to, _Outcome("completed", None, 30))
                plan = [("initiated", "initiated"), ("ringing", "ringing")]
                if outcome.status == "completed":
                    plan.append(("answered", "in-progress"))
                plan.append(("completed", outcome.status))
                for event, status in plan:
                    if event in events:
                        answered_by = outcome.answered_by if call["_machine_detection"] else None
                        planned = self._call_callback(sid, status, outcome.duration, answered_by)
                        if planned is not None:
                            self._state.pending.append(planned)
        return self._json(201, call)

    def _call(self, sid: str) -> dict[str, Any]:
        with self._lock:
            if sid not in self._state.calls:
                raise self._not_found(f"/Calls/{sid}.json")
            return dict(self._state.calls[sid])

    def _update_call(self, sid: str, form: _Form) -> tuple[int, str, bytes]:
        with self._lock:
            call = self._state.calls.get(sid)
            if call is None:
                raise self._not_found(f"/Calls/{sid}.json")
            redirect = form.get("Url") or form.get("Twiml")
            if redirect and call["status"] != "in-progress" and call["status"] not in ("queued", "ringing"):
                raise TwilioApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
            if form.get("Url"):
                call["_url"], call["_twiml"] = form.get("Url"), None
                call["_method"] = (form.get("Method") or "POST").upper()
            if form.get("Twiml"):
                call["_url"], call["_twiml"] = None, form.get("Twiml")
            status = form.get("Status")
            if status in ("completed", "canceled"):
                if call["status"] in FINAL_CALL_STATUSES:
                    raise TwilioApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
                call["status"] = "completed" if call["status"] == "in-progress" else "canceled"
                self._state.pending = [c for c in self._state.pending if c.sid != sid]
            call["date_updated"] = rfc2822(self.now())
            return self._json(200, call)

    # recordings

    def _recording(self, sid: str) -> dict[str, Any]:
        with self._lock:
            if sid not in self._state.recordings:
                raise self._not_found(f"/Recordings/{sid}.json")
            return dict(self._state.recordings[sid])

    def _recording_content(self, sid: str, ext: str | None) -> tuple[int, str, bytes]:
        self._recording(sid)
        if ext == ".mp3":
            return 200, "audio/mpeg", MP3_BYTES
        return 200, "audio/x-wav", WAV_BYTES


class _Form:
    def __init__(self, params: tuple[tuple[str, str], ...]) -> None:
        self.params = params

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.params if key == name]


def _handler_for(api: FakeTwilioApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeTwilio/1.0"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, content_type, payload = api.handle(
                self.command, self.path, body, self.headers.get("Authorization") or ""
            )
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
