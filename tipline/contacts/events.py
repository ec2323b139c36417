"""Writing the append-only event log without personal data in clear."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tipline.contacts.models import Event
from tipline.crypto import DataCipher

# Webhook parameters that identify a step without identifying a person. Everything else (From, To, Caller,
# Body, SpeechResult, Digits — which may be a PIN —, RecordingUrl, geography) stays out of ``data``.
SAFE_WEBHOOK_PARAMS = frozenset(
    {
        "CallSid",
        "CallStatus",
        "CallDuration",
        "Direction",
        "MessageSid",
        "SmsSid",
        "MessageStatus",
        "SmsStatus",
        "NumMedia",
        "NumSegments",
        "ErrorCode",
        "RecordingSid",
        "RecordingDuration",
        "RecordingStatus",
        "DialCallStatus",
        "DialCallDuration",
        "QueueResult",
        "QueueTime",
        "Confidence",
        "AnsweredBy",
    }
)


def safe_params(params: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(params[name]) for name in sorted(SAFE_WEBHOOK_PARAMS) if name in params}


def record_event(
    session: Session,
    kind: str,
    *,
    contact_id: int | None = None,
    case_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    payload: str | None = None,
    cipher: DataCipher | None = None,
) -> Event:
    """Append one event. ``payload`` (a body, a transcript) is stored only encrypted."""
    if payload is not None and cipher is None:
        raise ValueError("a payload must be encrypted: pass the cipher")
    event = Event(
        kind=kind,
        contact_id=contact_id,
        case_id=case_id,
        data=dict(data or {}),
        payload_enc=cipher.encrypt(payload) if payload is not None and cipher is not None else None,
    )
    session.add(event)
    session.flush()
    return event
