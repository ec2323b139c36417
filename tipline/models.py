"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema."""

from tipline.cases.models import Case, CaseChange
from tipline.contacts.models import Contact, Event, SmsOptOut
from tipline.db import Base
from tipline.jobs.models import JobRecord
from tipline.media.models import MediaItem
from tipline.outbox.models import OutboundMessage
from tipline.roster.models import Person, Rotation, Shift
from tipline.webhooks.models import WebhookReceipt

__all__ = [
    "Base",
    "Case",
    "CaseChange",
    "Contact",
    "Event",
    "JobRecord",
    "MediaItem",
    "OutboundMessage",
    "Person",
    "Rotation",
    "Shift",
    "SmsOptOut",
    "WebhookReceipt",
]
