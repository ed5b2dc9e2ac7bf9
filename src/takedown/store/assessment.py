"""Assessment models: human decisions on items, and an operation's watchlist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from takedown.store.models import Base, Id, utcnow


class Assessment(Base):
    """One assessor's verdict on an item; with four-eyes, confirmed by a second one."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_item_id_status", "item_id", "status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assessor: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(32))
    legal_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasons: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))  # final, pending_confirmation, superseded
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Watch(Base):
    """A known source on an operation's watchlist: its items rise in the triage queue."""

    __tablename__ = "watchlist"
    __table_args__ = (UniqueConstraint("operation_id", "key"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"))
    key: Mapped[str] = mapped_column(String(1024))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
