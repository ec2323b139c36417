"""The live call queue: each caller waiting for a human, each offer of a call to a handler, and each
callback (asked for by a caller nobody could answer, or placed by a dispatcher)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class QueueState(StrEnum):
    WAITING = "waiting"  # in the Twilio queue, nobody ringing for it
    OFFERED = "offered"  # a handler's phone is ringing (or hearing the whisper) for it
    BRIDGED = "bridged"  # a handler accepted: talking
    COMPLETED = "completed"  # the bridged call ended
    LEFT = "left"  # left the queue for a message or a callback (own choice, maximum wait, nobody on duty)
    ABANDONED = "abandoned"  # hung up while waiting


LIVE_STATES = (QueueState.WAITING, QueueState.OFFERED)


class LeaveReason(StrEnum):
    MESSAGE = "message"  # the caller pressed the key to leave a message
    TIMEOUT = "timeout"  # nobody answered within the maximum wait
    NOBODY = "nobody"  # nobody (left) on duty


class QueuedCall(Base):
    """One caller who asked for a human. Twilio holds the call in its own queue named ``queue_name`` (one
    queue per call, so that a handler is bridged to exactly this caller); the order is ours: priority, then
    waiting time."""

    __tablename__ = "queued_calls"
    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'offered', 'bridged', 'completed', 'left', 'abandoned')", name="state"),
        Index("ix_queued_calls_state_enqueued_at", "state", "enqueued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    queue_name: Mapped[str] = mapped_column(String(64))
    queue_sid: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default=QueueState.WAITING)
    leave_reason: Mapped[str | None] = mapped_column(String(16))
    bridged_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class OfferOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"  # pressed another key
    MISSED = "missed"  # no answer, busy, failed, or answered without choosing
    CANCELLED = "cancelled"  # the caller left or hung up first


class CallOffer(Base):
    """The line rang a handler's phone for a queued call. At most one pending offer per handler and per call:
    the partial unique indexes make "one handler never gets two calls at once" a database guarantee."""

    __tablename__ = "call_offers"
    __table_args__ = (
        CheckConstraint("outcome IN ('pending', 'accepted', 'declined', 'missed', 'cancelled')", name="outcome"),
        Index(
            "uq_call_offers_pending_person",
            "person_id",
            unique=True,
            postgresql_where=text("outcome = 'pending'"),
            sqlite_where=text("outcome = 'pending'"),
        ),
        Index(
            "uq_call_offers_pending_call",
            "queued_call_id",
            unique=True,
            postgresql_where=text("outcome = 'pending'"),
            sqlite_where=text("outcome = 'pending'"),
        ),
        Index("ix_call_offers_person_id_offered_at", "person_id", "offered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    queued_call_id: Mapped[int] = mapped_column(ForeignKey("queued_calls.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16), default=OfferOutcome.PENDING)
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class CallbackState(StrEnum):
    REQUESTED = "requested"  # the caller asked for one; waiting for a dispatcher
    DIALING = "dialing"  # the line is ringing the dispatcher, then the caller
    CONNECTED = "connected"
    COMPLETED = "completed"
    FAILED = "failed"  # the dispatcher or the caller did not answer
    CANCELLED = "cancelled"


OPEN_CALLBACK_STATES = (CallbackState.REQUESTED, CallbackState.DIALING, CallbackState.CONNECTED)


class CallbackRequest(Base):
    """A call back to a caller, always from the line's own number: the dispatcher's phone rings first, then
    the line dials the caller. ``safe_time`` is what the caller chose (``anytime``, ``day``, ``evening``) or
    ``said`` with their own words encrypted in ``safe_time_said_enc``."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        CheckConstraint(
            "state IN ('requested', 'dialing', 'connected', 'completed', 'failed', 'cancelled')", name="state"
        ),
        Index("ix_callback_requests_case_id_state", "case_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # "caller" or "dispatcher"
    safe_time: Mapped[str | None] = mapped_column(String(16))
    safe_time_said_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default=CallbackState.REQUESTED)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
