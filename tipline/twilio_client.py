"""The Twilio REST client the line uses, honouring ``TWILIO_API_URL`` (tests point it at a local server that
answers as Twilio's API does).

The client builds every URL from ``https://<product>.twilio.com`` and sends it through its ``http_client``,
the library's public extension point. ``ApiUrlHttpClient`` rewrites the scheme, host and port of those URLs
to the configured base and leaves the path alone, so ``/2010-04-01/Accounts/AC…/Messages.json`` reaches
``{TWILIO_API_URL}/2010-04-01/Accounts/AC…/Messages.json``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tipline.config import Settings

TIMEOUT_SECONDS = 10.0

# The library logs request parameters (numbers, bodies) at DEBUG: never let that reach the logs.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def rebase(url: str, api_base: SplitResult) -> str:
    """``url`` with a Twilio host moved to ``api_base``; any other URL unchanged."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "twilio.com" and not host.endswith(".twilio.com"):
        return url
    path = api_base.path + parts.path
    return urlunsplit((api_base.scheme, api_base.netloc, path, parts.query, parts.fragment))


def media_url(settings: Settings, url: str) -> str:
    """Where to fetch a recording or media URL Twilio gave us (rebased when ``TWILIO_API_URL`` is set)."""
    return rebase(url, urlsplit(settings.twilio_api_url.rstrip("/"))) if settings.twilio_api_url else url


class ApiUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    def __init__(self, api_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        base = urlsplit(api_url.rstrip("/"))
        if base.scheme not in ("http", "https") or not base.netloc:
            raise ValueError(f"TWILIO_API_URL must be an absolute http(s) URL, not {api_url!r}")
        self.api_base = base

    def rewrite(self, url: str) -> str:
        return rebase(url, self.api_base)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, self.rewrite(url), *args, **kwargs)


def twilio_client_for(api_url: str | None, account_sid: str, auth_token: str, **kwargs: Any) -> Any:
    """A ``twilio.rest.Client``; talks to ``api_url`` when given, else to Twilio itself."""
    http_client = (
        ApiUrlHttpClient(api_url, timeout=kwargs.pop("timeout", TIMEOUT_SECONDS))
        if api_url
        else TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    )
    return Client(account_sid, auth_token, http_client=http_client, **kwargs)


def build_client(settings: Settings) -> Any:
    return twilio_client_for(settings.twilio_api_url or None, settings.twilio_account_sid, settings.twilio_auth_token)
