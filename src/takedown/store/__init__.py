"""Persistence: SQLAlchemy models, the database facade and Alembic migrations."""

from __future__ import annotations

from takedown.store.db import Database

__all__ = ["Database"]
