"""live call queue: queued calls, offers to handlers, callbacks; cases.missed_at

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28 03:14:36.620211
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queued_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("queue_name", sa.String(length=64), nullable=False),
        sa.Column("queue_sid", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("leave_reason", sa.String(length=16), nullable=True),
        sa.Column("bridged_to_id", sa.Integer(), nullable=True),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('waiting', 'offered', 'bridged', 'completed', 'left', 'abandoned')",
            name=op.f("ck_queued_calls_state"),
        ),
        sa.ForeignKeyConstraint(
            ["bridged_to_id"], ["people.id"], name=op.f("fk_queued_calls_bridged_to_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_queued_calls_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_queued_calls_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_calls")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_queued_calls_call_sid")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_queued_calls_contact_id")),
    )
    op.create_index(op.f("ix_queued_calls_case_id"), "queued_calls", ["case_id"], unique=False)
    op.create_index("ix_queued_calls_state_enqueued_at", "queued_calls", ["state", "enqueued_at"], unique=False)
    op.create_table(
        "call_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queued_call_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending', 'accepted', 'declined', 'missed', 'cancelled')", name=op.f("ck_call_offers_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbound_messages.id"],
            name=op.f("fk_call_offers_outbox_id_outbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_call_offers_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["queued_call_id"],
            ["queued_calls.id"],
            name=op.f("fk_call_offers_queued_call_id_queued_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_offers")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_call_offers_outbox_id")),
    )
    op.create_index("ix_call_offers_person_id_offered_at", "call_offers", ["person_id", "offered_at"], unique=False)
    op.create_index(op.f("ix_call_offers_queued_call_id"), "call_offers", ["queued_call_id"], unique=False)
    op.create_index(
        "uq_call_offers_pending_call",
        "call_offers",
        ["queued_call_id"],
        unique=True,
        postgresql_where=sa.text("outcome = 'pending'"),
        sqlite_where=sa.text("outcome = 'pending'"),
    )
    op.create_index(
        "uq_call_offers_pending_person",
        "call_offers",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("outcome = 'pending'"),
        sqlite_where=sa.text("outcome = 'pending'"),
    )
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("safe_time", sa.String(length=16), nullable=True),
        sa.Column("safe_time_said_enc", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('requested', 'dialing', 'connected', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_callback_requests_state"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_callback_requests_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_callback_requests_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbound_messages.id"],
            name=op.f("fk_callback_requests_outbox_id_outbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_callback_requests_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
    )
    op.create_index("ix_callback_requests_case_id_state", "callback_requests", ["case_id", "state"], unique=False)
    op.create_index(op.f("ix_callback_requests_person_id"), "callback_requests", ["person_id"], unique=False)
    op.add_column("cases", sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("missed_at")
    op.drop_index(op.f("ix_callback_requests_person_id"), table_name="callback_requests")
    op.drop_index("ix_callback_requests_case_id_state", table_name="callback_requests")
    op.drop_table("callback_requests")
    op.drop_index(
        "uq_call_offers_pending_person",
        table_name="call_offers",
        postgresql_where=sa.text("outcome = 'pending'"),
        sqlite_where=sa.text("outcome = 'pending'"),
    )
    op.drop_index(
        "uq_call_offers_pending_call",
        table_name="call_offers",
        postgresql_where=sa.text("outcome = 'pending'"),
        sqlite_where=sa.text("outcome = 'pending'"),
    )
    op.drop_index(op.f("ix_call_offers_queued_call_id"), table_name="call_offers")
    op.drop_index("ix_call_offers_person_id_offered_at", table_name="call_offers")
    op.drop_table("call_offers")
    op.drop_index("ix_queued_calls_state_enqueued_at", table_name="queued_calls")
    op.drop_index(op.f("ix_queued_calls_case_id"), table_name="queued_calls")
    op.drop_table("queued_calls")
