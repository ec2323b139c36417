"""webhook receipts are keyed with the app's secret: drop the unkeyed ones

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 03:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Their keys were unkeyed hashes over the webhook's parameters (which include the caller's number); they
    # only serve Twilio's retries of the last few minutes, so dropping them loses nothing.
    op.execute("DELETE FROM webhook_receipts")


def downgrade() -> None:
    pass
