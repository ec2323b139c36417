"""How the simulators reach the application: over real HTTP, or through a Flask test client.

Twilio always requests absolute URLs, and signs the absolute URL it requested. Both transports take that
absolute URL; the Flask one splits it so the test client serves the same scheme, host, path and query, and
``request.url`` on the application side is exactly the URL that was signed.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Transport(Protocol):
    def post(self, url: str, params: list[tuple[str, str]], headers: dict[str, str]) -> Response: ...

    def get(self, url: str, headers: dict[str, str]) -> Response: ...


def resolve(document_url: str, target: str) -> str:
    """Resolve a TwiML URL (``action``, ``<Redirect>``, ``waitUrl``…) against the current document's URL."""
    return urljoin(document_url, target.strip())


def with_query(url: str, params: list[tuple[str, str]]) -> str:
    """Append parameters to a URL's query string, as Twilio does for ``method="GET"`` requests."""
    if not params:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class HttpTransport:
    """Real HTTP with urllib, for a running server (``tipline run``) or the fake REST API's callbacks."""

    def __init__(self, timeout: float = 15.0) -> None:
        self.timeout = timeout
        # Local servers only: never route the simulated Twilio through an environment proxy.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post(self, url: str, params: list[tuple[str, str]], headers: dict[str, str]) -> Response:
        data = urlencode(params).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is the simulated application's
            url, data=data, method="POST", headers={**headers, "Content-Type": FORM_CONTENT_TYPE}
        )
        return self._send(request)

    def get(self, url: str, headers: dict[str, str]) -> Response:
        request = urllib.request.Request(url, method="GET", headers=headers)  # noqa: S310
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Response:
        if urlsplit(request.full_url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {request.full_url}")
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return _response(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            with error:
                return _response(error.code, error.read(), dict(error.headers.items()))


def _response(status: int, raw: bytes, headers: dict[str, str]) -> Response:
    content_type = next((value for key, value in headers.items() if key.lower() == "content-type"), "")
    return Response(status, raw.decode("utf-8", errors="replace"), content_type, headers)


class FlaskClientTransport:
    """Route requests into a Flask test client (``app.test_client()``) without a network."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def post(self, url: str, params: list[tuple[str, str]], headers: dict[str, str]) -> Response:
        base_url, path = _split(url)
        answer = self.client.post(
            path,
            base_url=base_url,
            data=urlencode(params),
            content_type=FORM_CONTENT_TYPE,
            headers=headers,
        )
        return _from_test_response(answer)

    def get(self, url: str, headers: dict[str, str]) -> Response:
        base_url, path = _split(url)
        return _from_test_response(self.client.get(path, base_url=base_url, headers=headers))


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Twilio only requests absolute http(s) URLs, not {url!r}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return f"{parts.scheme}://{parts.netloc}", path


def _from_test_response(answer: Any) -> Response:
    headers = {key: value for key, value in answer.headers.items()}
    body = answer.get_data(as_text=True)
    return Response(int(answer.status_code), body, answer.content_type or "", headers)
