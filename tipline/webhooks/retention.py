"""How long the line keeps webhook receipts: Twilio retries a step within minutes, so two days is plenty."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tipline.webhooks.models import WebhookReceipt

RECEIPTS_KEPT_FOR = timedelta(days=2)


def purge_receipts(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(WebhookReceipt).where(WebhookReceipt.created_at < now - RECEIPTS_KEPT_FOR))
    return int(getattr(result, "rowcount", 0) or 0)
