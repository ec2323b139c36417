from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"


class ContactStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Contact(Base):
    """One call, or one SMS conversation with one sender. Anonymous contacts keep no caller ID at all."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default=ContactStatus.ACTIVE)
    anonymous: Mapped[bool] = mapped_column(default=False)
    caller_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The flow engine's state (it may hold a reference code, a PIN before read-back, a tip's text): encrypted.
    flow_state_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    step_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class Event(Base):
    """Append-only: every inbound webhook and outbound action. ``data`` never holds personal data in clear;
    what must be kept (a message body, a transcript) goes encrypted in ``payload_enc``."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_case_id_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class SmsOptOut(Base):
    """A number that texted STOP (or that Twilio reports as opted out): nothing is sent to it until START."""

    __tablename__ = "sms_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opted_out: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(24))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
