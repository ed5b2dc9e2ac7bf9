"""create bank tables: banks, bank_entries, matches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("dihedral", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banks")),
        sa.UniqueConstraint("name", name=op.f("uq_banks_name")),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", Id, nullable=False),
        sa.Column("bank_id", Id, nullable=False),
        sa.Column("signal_type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_bank_entries_bank_id_banks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_entries")),
        sa.UniqueConstraint(
            "bank_id",
            "signal_type",
            "digest",
            name=op.f("uq_bank_entries_bank_id_signal_type_digest"),
        ),
    )
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_entries_signal_type_digest", ["signal_type", "digest"], unique=False
        )
    op.create_table(
        "matches",
        sa.Column("id", Id, nullable=False),
        sa.Column("item_id", Id, nullable=True),
        sa.Column("evidence_id", Id, nullable=True),
        sa.Column("signal_id", Id, nullable=True),
        sa.Column("bank_id", Id, nullable=False),
        sa.Column("bank_entry_id", Id, nullable=False),
        sa.Column("signal_type", sa.String(length=32), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_matches_bank_entry_id_bank_entries"),
        ),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_matches_bank_id_banks")),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_matches_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_matches_item_id_items")),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signals.id"], name=op.f("fk_matches_signal_id_signals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
    )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matches_bank_id"), ["bank_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_matches_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_matches_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matches_item_id"))
        batch_op.drop_index(batch_op.f("ix_matches_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_matches_bank_id"))
    op.drop_table("matches")
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_entries_signal_type_digest")
    op.drop_table("bank_entries")
    op.drop_table("banks")
