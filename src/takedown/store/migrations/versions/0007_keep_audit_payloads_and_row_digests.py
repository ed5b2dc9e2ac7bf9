"""keep audit payloads and row digests

``audit_payloads`` keeps each new audit event's payload (the change, and the Merkle root of
the covered rows it wrote), whose SHA-256 is the event's digest; ``audit_rows`` keeps one leaf
per covered row an event wrote: the row's digest before and after. Events recorded before this
revision keep only their digest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_payloads",
        sa.Column("event_id", ID, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["audit_events.id"],
            name=op.f("fk_audit_payloads_event_id_audit_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_payloads")),
    )
    op.create_table(
        "audit_rows",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["audit_events.id"],
            name=op.f("fk_audit_rows_event_id_audit_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_rows")),
    )
    with op.batch_alter_table("audit_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_rows_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_audit_rows_table_name_row_id_event_id",
            ["table_name", "row_id", "event_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_rows_table_name_row_id_event_id")
        batch_op.drop_index(batch_op.f("ix_audit_rows_event_id"))
    op.drop_table("audit_rows")
    op.drop_table("audit_payloads")
