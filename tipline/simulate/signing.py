"""Sign a webhook exactly as Twilio does, so the application's own validation accepts it.

Twilio signs the full URL it requested plus the form parameters, sorted by name (see
``twilio.request_validator.RequestValidator.compute_signature``). Repeated keys are legal in a form POST
(``MediaUrl`` in an outbound message, for one); the validator reads them through ``getall``/``getlist``
when the server hands it a multi-dict, so the signer must hand it every value too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"

Params = Iterable[tuple[str, str]] | Mapping[str, str]


class _MultiParams(dict[str, list[str]]):
    """The shape ``RequestValidator.get_values`` understands for repeated keys (``getall``)."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def as_pairs(params: Params) -> list[tuple[str, str]]:
    """Form parameters as an ordered list of pairs, whatever shape they came in."""
    if isinstance(params, Mapping):
        return [(str(key), str(value)) for key, value in params.items()]
    return [(str(key), str(value)) for key, value in params]


def compute_signature(auth_token: str, url: str, params: Params) -> str:
    grouped = _MultiParams()
    for key, value in as_pairs(params):
        grouped.setdefault(key, []).append(value)
    signature: str = RequestValidator(auth_token).compute_signature(url, grouped)
    return signature


def signed_headers(auth_token: str, url: str, params: Params) -> dict[str, str]:
    """Headers Twilio would send with a form POST (or a GET with ``params=[]``) to ``url``."""
    return {
        SIGNATURE_HEADER: compute_signature(auth_token, url, params),
        "User-Agent": "TwilioProxy/1.1",
        "Accept": "*/*",
    }
