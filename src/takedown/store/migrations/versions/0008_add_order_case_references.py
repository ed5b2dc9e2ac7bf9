"""add an issuing authority's own case reference to removal orders

``removal_orders.case_reference`` keeps the reference an authority gives its own order, beside
takedown's ``reference``; it is unique per authority (``unit_id``). Orders issued before keep
their reference as it was sent to the platform, and no case reference.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("removal_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_reference", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_removal_orders_unit_id_case_reference"), ["unit_id", "case_reference"]
        )


def downgrade() -> None:
    with op.batch_alter_table("removal_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_removal_orders_unit_id_case_reference"), type_="unique"
        )
        batch_op.drop_column("case_reference")
