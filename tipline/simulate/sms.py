"""A text conversation with the line, as Twilio's messaging webhooks carry it.

``SmsSimulator.send(body)`` posts ``{base_url}/twilio/sms`` with the parameters and signature of an inbound
message and returns the texts of the ``<Message>`` replies (following ``<Redirect>``). An unusable answer
is an application error: Twilio then requests the messaging fallback URL, if one was given.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from tipline.simulate.events import AppError, Posted
from tipline.simulate.params import (
    API_VERSION,
    DEMO_TWILIO_ACCOUNT_SID,
    count_segments,
    new_sid,
    number_params,
)
from tipline.simulate.signing import signed_headers
from tipline.simulate.transport import Response, Transport, resolve, with_query

MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Reply:
    """A ``<Message>`` the application answered with."""

    body: str
    to: str
    from_: str
    media: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sent:
    """An inbound message the simulated phone sent."""

    sid: str
    body: str
    media: tuple[str, ...] = ()


SmsEvent = Sent | Posted | Reply | AppError


@dataclass
class SmsSimulator:
    transport: Transport
    base_url: str
    auth_token: str
    from_number: str
    to_number: str
    account_sid: str = DEMO_TWILIO_ACCOUNT_SID
    messaging_service_sid: str | None = None
    sms_url: str = "/twilio/sms"
    fallback_url: str | None = None
    output: Callable[[SmsEvent], None] | None = None
    transcript: list[SmsEvent] = field(default_factory=list)

    def send(
        self, body: str, media_urls: Sequence[str] = (), media_types: Sequence[str] = (), *, sid: str | None = None
    ) -> list[str]:
        """Text the line; return the reply texts, in order. ``media_types`` default to ``image/jpeg``."""
        return [reply.body for reply in self.send_message(body, media_urls, media_types, sid=sid)]

    def send_message(
        self, body: str, media_urls: Sequence[str] = (), media_types: Sequence[str] = (), *, sid: str | None = None
    ) -> list[Reply]:
        sid = sid or new_sid("MM" if media_urls else "SM")
        self._emit(Sent(sid, body, tuple(media_urls)))
        params = self._inbound_params(sid, body, media_urls, media_types)
        url, method = urljoin(self.base_url.rstrip("/") + "/", self.sms_url), "POST"
        replies: list[Reply] = []
        for _hop in range(MAX_REDIRECTS):
            document = self._fetch(url, method, params)
            if document is None and self.fallback_url:
                error = next(e for e in reversed(self.transcript) if isinstance(e, AppError))
                fallback = urljoin(self.base_url.rstrip("/") + "/", self.fallback_url)
                extra = [("ErrorCode", str(error.code)), ("ErrorUrl", url)]
                document = self._fetch(fallback, "POST", [*params, *extra])
            if document is None:
                break
            redirect = None
            for verb in document:
                if verb.tag == "Message":
                    reply = _reply(verb, self.from_number, self.to_number)
                    replies.append(reply)
                    self._emit(reply)
                elif verb.tag == "Redirect":
                    redirect = verb
                    break
            if redirect is None:
                break
            url, method = resolve(url, redirect.text or url), (redirect.get("method") or "POST").upper()
        return replies

    @property
    def replies(self) -> list[Reply]:
        return [event for event in self.transcript if isinstance(event, Reply)]

    def _inbound_params(
        self, sid: str, body: str, media_urls: Sequence[str], media_types: Sequence[str]
    ) -> list[tuple[str, str]]:
        params = [
            ("ToCountry", ""),
            ("ToState", ""),
            ("SmsMessageSid", sid),
            ("NumMedia", str(len(media_urls))),
            ("ToCity", ""),
            ("FromZip", ""),
            ("SmsSid", sid),
            ("FromState", ""),
            ("SmsStatus", "received"),
            ("FromCity", ""),
            ("Body", body),
            ("FromCountry", ""),
            ("To", self.to_number),
            ("ToZip", ""),
            ("NumSegments", str(count_segments(body))),
            ("MessageSid", sid),
            ("AccountSid", self.account_sid),
            ("From", self.from_number),
            ("ApiVersion", API_VERSION),
        ]
        places = dict(number_params("From", self.from_number) + number_params("To", self.to_number))
        params = [(key, places.get(key, value)) for key, value in params]
        if self.messaging_service_sid:
            params.append(("MessagingServiceSid", self.messaging_service_sid))
        for index, media_url in enumerate(media_urls):
            content_type = media_types[index] if index < len(media_types) else "image/jpeg"
            params += [(f"MediaContentType{index}", content_type), (f"MediaUrl{index}", media_url)]
        return params

    def _fetch(self, url: str, method: str, params: list[tuple[str, str]]) -> ET.Element | None:
        try:
            if method == "GET":
                url, params = with_query(url, params), []
                response = self.transport.get(url, signed_headers(self.auth_token, url, []))
            else:
                response = self.transport.post(url, params, signed_headers(self.auth_token, url, params))
        except OSError as error:
            response = Response(599, str(error), "")
        self._emit(Posted(method, url, tuple(params), response.status, "sms"))
        if not response.ok:
            return self._error(url, 11200, f"HTTP retrieval failure: status {response.status}")
        if not response.body.strip():
            return ET.Element("Response")  # an empty 200 answer: no reply, not an error
        media_type = response.content_type.split(";")[0].strip().lower()
        if media_type not in ("text/xml", "application/xml", "text/html"):
            return self._error(url, 12300, f"invalid Content-Type {response.content_type!r}")
        try:
            root = ET.fromstring(response.body.strip())  # noqa: S314 - TwiML from the application under test
        except ET.ParseError as error:
            return self._error(url, 12100, f"document parse failure: {error}")
        if root.tag != "Response":
            return self._error(url, 12100, f"the root element is <{root.tag}>, not <Response>")
        return root

    def _error(self, url: str, code: int, detail: str) -> ET.Element | None:
        self._emit(AppError(url, code, detail))
        return None

    def _emit(self, event: SmsEvent) -> None:
        self.transcript.append(event)
        if self.output is not None:
            self.output(event)


def _reply(verb: ET.Element, sender: str, line: str) -> Reply:
    body = verb.find("Body")
    text = "".join(body.itertext()) if body is not None else (verb.text or "")
    media = tuple((media.text or "").strip() for media in verb.findall("Media"))
    return Reply(text.strip(), verb.get("to") or sender, verb.get("from") or line, media)
