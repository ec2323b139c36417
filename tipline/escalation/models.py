"""Escalations of crisis cases to the ÉSUP team: one row per escalation, one row per alert attempt.

The escalation's whole state lives here (the jobs and Redis only wake it up): which step it is at, when the
next one is due, who acknowledged it. ``active_case_id`` equals ``case_id`` while the escalation is open and is
NULL once it is closed, so a unique index allows one open escalation per case, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class EscalationState(StrEnum):
    ACTIVE = "active"  # alerting, step by step
    EXHAUSTED = "exhausted"  # every step and repeat went unacknowledged; still open, still acknowledgeable
    ACKNOWLEDGED = "acknowledged"


OPEN_STATES = (EscalationState.ACTIVE, EscalationState.EXHAUSTED)


class AttemptState(StrEnum):
    QUEUED = "queued"  # the outbox row exists
    DELIVERED = "delivered"  # delivered, or the call was answered
    FAILED = "failed"  # undelivered, refused, busy, no answer
    IN_DOUBT = "in_doubt"  # the send was interrupted; never resent, the next channel is tried
    LIMITED = "limited"  # held back by the per-recipient rate limit
    CANCELLED = "cancelled"  # acknowledged before it went


# What moves on at once. A rate-limited alert does not: its step waits for its delay (flood protection).
FAILED_STATES = frozenset({AttemptState.FAILED, AttemptState.IN_DOUBT})


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_due", "state", "next_step_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    active_case_id: Mapped[int | None] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(String(16), default=EscalationState.ACTIVE)
    code: Mapped[str] = mapped_column(String(8), index=True)  # what an ÉSUP member replies ("4821 OK")
    source: Mapped[str] = mapped_column(String(16))  # "p1" or "manual"
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the policy's steps, frozen at trigger
    step: Mapped[int] = mapped_column(default=-1)  # the current step, across repeats; -1 before the first
    next_step_at: Mapped[datetime]  # when the next step is due without an acknowledgement
    triggered_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_via: Mapped[str | None] = mapped_column(String(8))  # sms, voice, api
    closed_at: Mapped[datetime | None]


class EscalationAttempt(Base):
    """One alert to one person on one channel at one step; its outbox row carries the message itself."""

    __tablename__ = "escalation_attempts"
    __table_args__ = (
        UniqueConstraint("escalation_id", "step", "person_id", "channel", name="uq_escalation_attempts_one_per_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    step: Mapped[int]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    channel_index: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default=AttemptState.QUEUED)
    outbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id", ondelete="SET NULL"), unique=True
    )
    error_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
