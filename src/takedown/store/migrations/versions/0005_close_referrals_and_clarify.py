"""close referrals, notify once, clarifications

Referrals get ``closed_at``; notifications get ``once`` (a key unique per unit, so a notice
such as "hold 3 blocked item 7" is sent once); ``clarifications`` holds a unit's replies to a
platform's ``needs_clarification`` answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("once", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_notifications_unit_id_once"), ["unit_id", "once"]
        )
    op.create_table(
        "clarifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("question_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("referral_id", ID, nullable=True),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("unit_id", ID, nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"], ["responses.id"], name=op.f("fk_clarifications_question_id_responses")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_clarifications_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_clarifications_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["removal_orders.id"],
            name=op.f("fk_clarifications_order_id_removal_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_clarifications_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clarifications")),
    )
    with op.batch_alter_table("clarifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clarifications_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_clarifications_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clarifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clarifications_item_id"))
        batch_op.drop_index(batch_op.f("ix_clarifications_question_id"))
    op.drop_table("clarifications")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notifications_unit_id_once"), type_="unique")
        batch_op.drop_column("once")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
