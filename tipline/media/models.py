from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class MediaKind(StrEnum):
    RECORDING = "recording"
    MMS = "mms"


class MediaState(StrEnum):
    PENDING = "pending"  # known, still only at Twilio
    STORED = "stored"  # in our encrypted storage, not yet deleted at Twilio
    DONE = "done"  # stored here and deleted at Twilio
    FAILED = "failed"


class MediaItem(Base):
    __tablename__ = "media_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    twilio_sid: Mapped[str] = mapped_column(String(64), unique=True)
    source_url_enc: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[int | None]
    size_bytes: Mapped[int | None]
    storage_key: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16), default=MediaState.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
