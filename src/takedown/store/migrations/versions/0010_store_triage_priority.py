"""store each item's triage priority band and last report time, and index the queue's order

``items.priority_band`` (``takedown.domain.priority``: 10 per counted known-content match up to
3, 8 for a watched source, 3 per reporting unit up to 10) and ``items.last_reported_at`` (the
latest ``reported_at`` of its reports) order the triage queue; ``ix_items_queue_order``
serves that order read backwards, one state at a time (docs/workflow.md, "The triage queue").
Existing items get both computed here, in one set-based statement; from now on
``services.priority.refresh_priority`` keeps them when a report, a match or a watch changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NEVER_REPORTED = "1970-01-01 00:00:00+00:00"  # models.NEVER_REPORTED, as of this revision

# An item's parents (a JSON list of keys) as rows, in each database's own words.
PARENTS = {
    "sqlite": "SELECT j.value FROM json_each(items.parents) AS j",
    "postgresql": "SELECT json_array_elements_text(items.parents)",
}

# The band as domain.priority defined it at this revision, computed in place. The counts are
# capped with CASE (SQLite's min(a, b) is PostgreSQL's least(a, b)).
BACKFILL = """
UPDATE items SET
  last_reported_at = COALESCE(
    (SELECT max(r.reported_at) FROM reports AS r WHERE r.item_id = items.id),
    items.created_at
  ),
  priority_band =
    10 * (
      SELECT CASE WHEN count(*) > 3 THEN 3 ELSE count(*) END
      FROM matches AS m JOIN banks AS b ON b.id = m.bank_id
      WHERE m.item_id = items.id AND NOT m.suppressed AND NOT b.negative
    )
    + CASE WHEN EXISTS (
        SELECT 1 FROM watchlist AS w
        WHERE w.operation_id = items.operation_id
          AND (w.key = items.key OR w.key IN ({parents}))
      ) THEN 8 ELSE 0 END
    + 3 * (
      SELECT CASE WHEN count(DISTINCT r.unit_id) > 10 THEN 10 ELSE count(DISTINCT r.unit_id) END
      FROM reports AS r WHERE r.item_id = items.id
    )
"""


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority_band", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "last_reported_at",
                sa.DateTime(timezone=True),
                server_default=NEVER_REPORTED,  # a constant: SQLite adds it in place
                nullable=False,
            )
        )
    dialect = op.get_bind().dialect.name
    op.execute(BACKFILL.format(parents=PARENTS[dialect]))
    op.create_index(
        "ix_items_queue_order",
        "items",
        ["operation_id", "state", "priority_band", "last_reported_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_items_queue_order", table_name="items")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("last_reported_at")
        batch_op.drop_column("priority_band")
