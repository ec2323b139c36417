"""The roster: people (dispatchers, ÉSUP, supervisors, admins), their languages, phones, rotations and
one-off shifts. Rotations are local wall-clock rules; ``schedule.py`` turns them into UTC intervals."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow
from tipline.roster.schedule import WEEKDAYS, Kind, Override, RotationRule

LANGUAGES = ("fr", "en")


class Role(StrEnum):
    DISPATCHER = "dispatcher"
    ESUP = "esup"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Presence(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


def generated_code() -> str:
    """A placeholder code for people created outside a roster import; the next import matches on it."""
    return "P-" + secrets.token_hex(4).upper()


class Person(Base):
    """Staff. The phone is personal data: E.164, encrypted, with a keyed hash to recognise replies.

    ``code`` (an employee code) is the stable key a roster file matches people on. People are never deleted
    by an import, only deactivated, so cases, alerts and messages keep their references.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=generated_code)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(default=list)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, index=True)
    presence: Mapped[str] = mapped_column(String(16), default=Presence.AVAILABLE)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rotation(Base):
    """A recurring shift in the line's local time (see ``schedule.RotationRule``); ``kind='off'`` removes
    recurring time (a weekly afternoon off) from the person's other rotations."""

    __tablename__ = "rotations"
    __table_args__ = (
        CheckConstraint("kind IN ('on', 'off')", name="kind"),
        CheckConstraint("every_weeks >= 1 AND every_weeks <= 52", name="every_weeks"),
        CheckConstraint("valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    weekdays: Mapped[list[str]] = mapped_column()
    starts_local: Mapped[time] = mapped_column()
    ends_local: Mapped[time] = mapped_column()
    valid_from: Mapped[date | None] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column()
    every_weeks: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(8), default=Kind.ON)

    def rule(self) -> RotationRule:
        return RotationRule(
            weekdays=frozenset(WEEKDAYS.index(day) for day in self.weekdays),
            start=self.starts_local,
            end=self.ends_local,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            every_weeks=self.every_weeks,
            kind=Kind(self.kind),
        )


class Shift(Base):
    """A one-off time a person is on duty, or with ``kind='off'`` an override that takes them off duty
    (vacation, sick leave). One-offs win over rotations; ``off`` wins over everything."""

    __tablename__ = "shifts"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(8), default=Kind.ON)
    note: Mapped[str | None] = mapped_column(String(200))

    def override(self) -> Override:
        return Override(starts_at=self.starts_at, ends_at=self.ends_at, kind=Kind(self.kind))
