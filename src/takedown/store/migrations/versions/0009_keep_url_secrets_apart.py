"""keep a URL's secret (a file host's decryption key) apart from the URL that others see

``reports.url_secret`` holds what a reported URL carried that opens the content but must not
travel with it (``ContentRef.secret``: the key after ``#`` in ``mega.nz/file/…#<key>``). The
report's and the item's ``url`` are stored without it, so referrals, platforms and other units
never receive it; the reporting unit and oversight auditors see it with the report. Reports
stored before keep their URL as it was.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url_secret", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("url_secret")
