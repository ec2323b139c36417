"""The ``/twilio`` blueprint. Its ``before_request`` checks every request's signature; route modules add
their views to it."""

from __future__ import annotations

from flask import Blueprint, Response

from tipline.webhooks.security import require_twilio_signature

twilio_bp = Blueprint("twilio", __name__, url_prefix="/twilio")
twilio_bp.before_request(require_twilio_signature)


def twiml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=utf-8")
