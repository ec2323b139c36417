from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class Role(StrEnum):
    DISPATCHER = "dispatcher"
    ESUP = "esup"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Presence(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


class Person(Base):
    """Staff. The phone is personal data: E.164, encrypted, with a keyed hash to recognise replies."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(default=list)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    presence: Mapped[str] = mapped_column(String(16), default=Presence.AVAILABLE)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shift(Base):
    """A time a person is on duty (or, with ``kind='off'``, an override that takes them off duty)."""

    __tablename__ = "shifts"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(8), default="on")
