from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class OutboundKind(StrEnum):
    SMS = "sms"
    CALL = "call"


class OutboundState(StrEnum):
    PENDING = "pending"  # committed, not yet handed to Twilio
    SENDING = "sending"  # a job took it; if that job died, we do not know whether Twilio got it
    SENT = "sent"  # Twilio accepted it (queued/sent/ringing)
    DELIVERED = "delivered"  # delivered, or the call was answered
    FAILED = "failed"  # refused or failed: never counted as sent
    CANCELLED = "cancelled"  # no longer needed (for example, acknowledged before it went)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(24))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=OutboundState.PENDING, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    to_enc: Mapped[bytes] = mapped_column(LargeBinary)
    to_hash: Mapped[str] = mapped_column(String(64), index=True)
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    twilio_status: Mapped[str | None] = mapped_column(String(24))
    error_code: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
