"""Deconfliction models: holds on identifiers, and notifications to units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from takedown.store.models import Base, Id, utcnow


class Hold(Base):
    """ "Keep online, under investigation": a unit's claim on a key, an account or a signal."""

    __tablename__ = "holds"
    __table_args__ = (Index("ix_holds_target", "target"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    placed_by: Mapped[str] = mapped_column(String(200))
    target_type: Mapped[str] = mapped_column(String(16))  # key, account, signal
    target: Mapped[str] = mapped_column(String(1024))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(200))


class Notification(Base):
    """Something a unit should know: a hold stopped a referral, an order is overdue, …"""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("unit_id", "once"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # set for notices a unit should get only once (e.g. "hold 3 blocked item 7"); NULLs repeat
    once: Mapped[str | None] = mapped_column(String(200))
