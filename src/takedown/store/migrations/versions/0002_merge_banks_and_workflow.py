"""merge the bank tables (0002) with the workflow tables (0003): one head again

Both branch from 0001; this revision joins them and changes nothing.

Revision ID: 0002m
Revises: 0002, 0003
Create Date: 2026-11-28 19:00:00
"""

from __future__ import annotations

revision = "0002m"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
