"""A caller never hears an application error: any failure in a voice view becomes fallback TwiML that still
reaches a human or voicemail, and what the request carried is spooled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, g, request

from tipline.runtime import runtime
from tipline.webhooks import fallback_twiml
from tipline.webhooks.blueprint import twiml
from tipline.webhooks.fallback import spool_request

P = ParamSpec("P")
log = logging.getLogger("tipline.webhooks")


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception as error:
            log.error("rollback failed: %s", type(error).__name__)


def never_fails_caller(view: Callable[P, Response]) -> Callable[P, Response]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("voice view %s failed (%s); caller sent to a human", view.__name__, type(error).__name__)
            _rollback()
            spool_request("voice")
            return twiml(fallback_twiml.reach_a_human(runtime().settings.fallback_number))

    return wrapper


def sender_opted_out() -> bool:
    """Whether the texter said STOP. With the database down we cannot tell: the acknowledgement (with the
    9-1-1 advice) goes out, and Twilio itself refuses to deliver to a number that replied STOP to the line."""
    from tipline.contacts.optouts import is_opted_out

    rt = runtime()
    try:
        with rt.db.sessions() as session:
            return is_opted_out(session, rt.cipher, request.form.get("From", ""))
    except Exception as error:
        log.warning("opt-out check unavailable (%s)", type(error).__name__)
        return False


def never_fails_texter(view: Callable[P, Response]) -> Callable[P, Response]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("sms view %s failed (%s); message spooled", view.__name__, type(error).__name__)
            _rollback()
            spool_request("sms")
            if fallback_twiml.is_stop_word(request.form.get("Body", "")) or sender_opted_out():
                return twiml(fallback_twiml.empty_messaging_response())
            return twiml(fallback_twiml.sms_acknowledgement())

    return wrapper
