"""Persistence: SQLAlchemy models, the database facade and Alembic migrations.

Importing this package registers every model module on ``Base.metadata``.
"""

from __future__ import annotations

from takedown.store import (
    assessment,
    banks,
    deconfliction,
    models,
    referrals,
    throttle,
    verification,
)
from takedown.store.db import Database

__all__ = [
    "Database",
    "assessment",
    "banks",
    "deconfliction",
    "models",
    "referrals",
    "throttle",
    "verification",
]
