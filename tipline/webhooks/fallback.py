"""Twilio's fallback URLs. They must answer with the database and Redis both down: they read settings only,
and write what they receive to the local encrypted spool, taken into the database once it is back."""

from __future__ import annotations

import logging

from flask import Response, request

from tipline.runtime import runtime
from tipline.webhooks import fallback_twiml
from tipline.webhooks.blueprint import twilio_bp, twiml

log = logging.getLogger("tipline.webhooks")


def spool_request(kind: str) -> None:
    """Keep what Twilio sent; a failing disk must not cost the caller their answer."""
    rt = runtime()
    try:
        params = {name: request.form.getlist(name) for name in request.form}
        if "outbox" in request.args:  # a status callback names its outbox row in the URL
            params["_outbox"] = [request.args["outbox"]]
        rt.spool.write(kind, params, rt.clock.now())
    except Exception as error:
        log.error("could not spool a %s fallback request: %s", kind, type(error).__name__)


@twilio_bp.post("/voice/fallback")
def voice_fallback() -> Response:
    step = request.args.get("step", "")
    settings = runtime().settings
    if step == "dialled":
        spool_request("voice.dialled")
        return twiml(fallback_twiml.after_dial(request.form.get("DialCallStatus", "")))
    if step == "recorded":
        spool_request("voice.recording")
        return twiml(fallback_twiml.after_recording())
    spool_request("voice")
    return twiml(fallback_twiml.reach_a_human(settings.fallback_number, apologise=step != "start"))


@twilio_bp.post("/sms/fallback")
def sms_fallback() -> Response:
    from tipline.webhooks.safety import sender_opted_out

    spool_request("sms")
    if fallback_twiml.is_stop_word(request.form.get("Body", "")) or sender_opted_out():
        return twiml(fallback_twiml.empty_messaging_response())
    return twiml(fallback_twiml.sms_acknowledgement())
