"""Twilio retries a webhook it did not get an answer to in time. The same step is processed once: the first
answer is stored (encrypted — it may read back a reference code) and a retry gets it again."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Request, Response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tipline.request_session import request_session
from tipline.runtime import runtime
from tipline.webhooks.models import WebhookReceipt

P = ParamSpec("P")
View = Callable[P, Response]


def step_key(req: Request) -> str:
    """The same CallSid/MessageSid at the same URL (which carries the step) with the same answer.

    Keyed with the app's secret: the parameters include the caller's number, and an unkeyed hash of them could
    be matched against guessed numbers by anyone holding a copy of the database."""
    digest = hmac.new(runtime().settings.secret_key.encode(), digestmod=hashlib.sha256)
    digest.update(req.path.encode())
    digest.update(b"?" + req.query_string)
    for name in sorted(req.form.keys()):
        for value in sorted(req.form.getlist(name)):
            digest.update(f"\x00{name}\x01{value}".encode())
    return digest.hexdigest()


def stored_answer(session: Session, key: str) -> Response | None:
    receipt = session.scalar(select(WebhookReceipt).where(WebhookReceipt.key == key))
    if receipt is None:
        return None
    body = runtime().cipher.decrypt(receipt.response_enc)
    return Response(body, status=receipt.status_code, content_type=receipt.content_type)


def once_per_step(view: Callable[P, Response]) -> Callable[P, Response]:
    """Run ``view`` once per step, inside one transaction that also stores its answer.

    The view flushes; this wrapper commits. A concurrent retry that loses the race gets the stored answer."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        rt = runtime()
        key = step_key(request)
        session = request_session()
        previous = stored_answer(session, key)
        if previous is not None:
            return previous
        response = view(*args, **kwargs)
        session.add(
            WebhookReceipt(
                key=key,
                status_code=response.status_code,
                content_type=response.content_type or "text/xml",
                response_enc=rt.cipher.encrypt(response.get_data()),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            again = stored_answer(session, key)
            if again is None:
                raise
            return again
        return response

    return wrapper
