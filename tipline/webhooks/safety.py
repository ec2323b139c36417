"""A caller never hears an application error: any failure in a voice view becomes fallback TwiML that still
reaches a human or voicemail, and what the request carried is spooled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, g, request
from twilio.twiml.voice_response import VoiceResponse

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


def never_fails_on_hold(view: Callable[P, Response]) -> Callable[P, Response]:
    """For documents Twilio plays to a caller on hold (an <Enqueue> waitUrl and its <Gather>): they allow no
    <Dial> or <Record>, so a failure leaves the queue; Twilio then fetches the <Enqueue> action, a normal
    document whose own safety net reaches a human or voicemail."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("hold view %s failed (%s); caller leaves the queue", view.__name__, type(error).__name__)
            _rollback()
            response = VoiceResponse()
            response.leave()
            return twiml(str(response))

    return wrapper


def never_fails_connecting(view: Callable[P, Response]) -> Callable[P, Response]:
    """For the <Queue url> document played to the caller as a person is connected (Say/Play only)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            log.exception("connecting view %s failed (%s)", view.__name__, type(error).__name__)
            _rollback()
            response = VoiceResponse()
            response.say(fallback_twiml.CONNECTING_FR, language="fr-CA")
            response.say(fallback_twiml.CONNECTING_EN, language="en-CA")
            return twiml(str(response))

    return wrapper


def spooled_on_failure(kind: str) -> Callable[[Callable[P, Response]], Callable[P, Response]]:
    """For status callbacks (Twilio does not retry them): if the line cannot take one in now, it is spooled
    and replayed once the database is back, so a failed alert still moves the escalation on."""

    def decorate(view: Callable[P, Response]) -> Callable[P, Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            try:
                return view(*args, **kwargs)
            except Exception as error:
                log.exception("status view %s failed (%s); callback spooled", view.__name__, type(error).__name__)
                _rollback()
                spool_request(kind)
                return Response(status=204)

        return wrapper

    return decorate


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
