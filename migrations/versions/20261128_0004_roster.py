"""roster: employee codes and emails on people, recurring rotations, notes on one-off shifts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # People already on the line get a placeholder code ("P" and their id) that a roster import can match.
    # On SQLite, batch mode rebuilds ``people``; the migration engine runs without PRAGMA foreign_keys, so the
    # rebuild does not cascade to the rows that reference people.
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.execute("UPDATE people SET code = 'P' || CAST(id AS VARCHAR(16)) WHERE code IS NULL")
    with op.batch_alter_table("people") as batch:
        batch.alter_column("code", existing_type=sa.String(length=32), nullable=False)
    op.create_index(op.f("ix_people_code"), "people", ["code"], unique=True)
    op.create_index(op.f("ix_people_email"), "people", ["email"], unique=True)

    with op.batch_alter_table("shifts") as batch:
        batch.add_column(sa.Column("note", sa.String(length=200), nullable=True))

    op.create_table(
        "rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", JSON_DOCUMENT, nullable=False),
        sa.Column("starts_local", sa.Time(), nullable=False),
        sa.Column("ends_local", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.CheckConstraint("every_weeks >= 1 AND every_weeks <= 52", name=op.f("ck_rotations_every_weeks")),
        sa.CheckConstraint("kind IN ('on', 'off')", name=op.f("ck_rotations_kind")),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_rotations_valid_range"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_rotations_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotations")),
    )
    op.create_index(op.f("ix_rotations_person_id"), "rotations", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rotations_person_id"), table_name="rotations")
    op.drop_table("rotations")
    with op.batch_alter_table("shifts") as batch:
        batch.drop_column("note")
    op.drop_index(op.f("ix_people_email"), table_name="people")
    op.drop_index(op.f("ix_people_code"), table_name="people")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("email")
        batch.drop_column("code")
