"""escalations to the ÉSUP team and their alert attempts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 03:13:55.571115
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("active_case_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("triggered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "plan", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_via", sa.String(length=8), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["people.id"],
            name=op.f("fk_escalations_acknowledged_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_escalations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["triggered_by_id"], ["people.id"], name=op.f("fk_escalations_triggered_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        # One open escalation per case: active_case_id is the case's id while open, NULL once closed.
        sa.UniqueConstraint("active_case_id", name=op.f("uq_escalations_active_case_id")),
    )
    op.create_index(op.f("ix_escalations_case_id"), "escalations", ["case_id"], unique=False)
    op.create_index(op.f("ix_escalations_code"), "escalations", ["code"], unique=False)
    op.create_index("ix_escalations_due", "escalations", ["state", "next_step_at"], unique=False)
    op.create_table(
        "escalation_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("channel_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_attempts_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbound_id"],
            ["outbound_messages.id"],
            name=op.f("fk_escalation_attempts_outbound_id_outbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_escalation_attempts_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_attempts")),
        sa.UniqueConstraint(
            "escalation_id", "step", "person_id", "channel", name="uq_escalation_attempts_one_per_step"
        ),
        sa.UniqueConstraint("outbound_id", name=op.f("uq_escalation_attempts_outbound_id")),
    )
    op.create_index(
        op.f("ix_escalation_attempts_escalation_id"), "escalation_attempts", ["escalation_id"], unique=False
    )
    op.create_index(op.f("ix_escalation_attempts_person_id"), "escalation_attempts", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_escalation_attempts_person_id"), table_name="escalation_attempts")
    op.drop_index(op.f("ix_escalation_attempts_escalation_id"), table_name="escalation_attempts")
    op.drop_table("escalation_attempts")
    op.drop_index("ix_escalations_due", table_name="escalations")
    op.drop_index(op.f("ix_escalations_code"), table_name="escalations")
    op.drop_index(op.f("ix_escalations_case_id"), table_name="escalations")
    op.drop_table("escalations")
