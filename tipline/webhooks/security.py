"""Twilio request signatures, checked once for every ``/twilio/*`` request.

The URL Twilio signed is ``TIPLINE_PUBLIC_URL`` plus the request's path and query when that setting is given,
otherwise the URL the request arrived at as seen through ``ProxyFix`` (so https behind a TLS proxy works).
"""

from __future__ import annotations

import logging

from flask import Request, abort, request
from twilio.request_validator import RequestValidator

from tipline.contacts.events import record_event
from tipline.runtime import runtime

log = logging.getLogger("tipline.webhooks")


def signed_url(req: Request, public_url: str) -> str:
    if not public_url:
        return req.url
    query = req.query_string.decode("latin-1")
    return public_url.rstrip("/") + req.path + (f"?{query}" if query else "")


def signature_is_valid(req: Request, auth_token: str, public_url: str) -> bool:
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    return bool(validator.validate(signed_url(req, public_url), req.form, signature))


def require_twilio_signature() -> None:
    """``before_request`` of the Twilio blueprint: 403 for a missing or wrong signature."""
    rt = runtime()
    if signature_is_valid(request, rt.settings.twilio_auth_token, rt.settings.public_url):
        return
    reason = "missing" if "X-Twilio-Signature" not in request.headers else "invalid"
    log.warning("rejected an unsigned Twilio request to %s (%s signature)", request.path, reason)
    _record_rejection(reason)
    abort(403)


def _record_rejection(reason: str) -> None:
    """Best effort: the rejection is logged without the body; an unreachable database must not turn 403 into 500."""
    rt = runtime()
    try:
        with rt.db.transaction() as session:
            record_event(session, "webhook.rejected", data={"path": request.path, "reason": reason})
    except Exception as error:
        log.warning("could not record a rejected webhook: %s", type(error).__name__)
