from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class CaseStatus(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


PRIORITIES = ("P1", "P2", "P3", "P4")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("priority IN ('P1', 'P2', 'P3', 'P4')", name="priority"),
        Index("ix_cases_queue", "status", "priority", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(128))
    priority: Mapped[str] = mapped_column(String(2), default="P3")
    categories: Mapped[list[str]] = mapped_column(default=list)
    # The rules that fired, in clear (ids, categories, priorities); the words they matched are pieces of what
    # the person said or wrote, so they are kept encrypted beside them (see cases/triage_service.py).
    triage_reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    triage_matched_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.NEW)
    language: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    followup_failures: Mapped[int] = mapped_column(default=0)
    followup_locked_until: Mapped[datetime | None]
    # A caller nobody answered (a message, a callback asked for, a hang-up while waiting): the case sorts
    # first within its priority in the dispatchers' queue until it is resolved.
    missed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseChange(Base):
    """The audit of a case: every change of priority, categories, status or assignee, by whom and why."""

    __tablename__ = "case_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # "triage", "system", or "person:<id>"
    field: Mapped[str] = mapped_column(String(24))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
