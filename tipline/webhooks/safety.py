"""A caller never hears an application error: any failure in a voice view becomes fallback TwiML that still
reaches a human or voicemail, and what the request carried is spooled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, g

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


def never_fails_texter(view: Callable[P, Response]) -> Callable[P, Response]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("sms view %s failed (%s); message spooled", view.__name__, type(error).__name__)
            _rollback()
            spool_request("sms")
            return twiml(fallback_twiml.sms_acknowledgement())

    return wrapper
