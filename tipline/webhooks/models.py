from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class WebhookReceipt(Base):
    """One processed webhook step. A retry of the same step gets the stored answer, processed once."""

    __tablename__ = "webhook_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    status_code: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(64))
    response_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
