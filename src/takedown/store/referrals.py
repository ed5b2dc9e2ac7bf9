"""Referral models: referrals, removal orders and their pauses, platform responses, deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from takedown.store.models import Base, Id, utcnow


class Referral(Base):
    """A voluntary request to one platform, batching ready items of one operation."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_platform_status", "platform", "status"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, acknowledged, closed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ReferralItem(Base):
    """An item in a referral. An item is referred at most once (unique item_id)."""

    __tablename__ = "referral_items"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)


class RemovalOrder(Base):
    """A removal order under Reg. 2021/784 Art. 3, with the Annex I fields.

    ``reference`` is takedown's, unique; ``case_reference`` is the issuing authority's own,
    optional and unique per authority (unit)."""

    __tablename__ = "removal_orders"
    __table_args__ = (UniqueConstraint("unit_id", "case_reference"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    issued_by: Mapped[str] = mapped_column(String(200))
    issuing_authority: Mapped[str] = mapped_column(String(300))
    member_state: Mapped[str] = mapped_column(String(2))
    addressee: Mapped[str] = mapped_column(String(32))  # platform name
    addressee_contact: Mapped[str | None] = mapped_column(String(320))
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    case_reference: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[str] = mapped_column(Text)
    redress: Mapped[str] = mapped_column(Text)
    non_disclosure: Mapped[bool] = mapped_column(Boolean, default=False)
    host_member_state: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    copy_sent_at: Mapped[datetime | None]
    scrutiny_requested_at: Mapped[datetime | None]
    overdue_alerted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class OrderPause(Base):
    """A pause of an order's 1-hour clock (Art. 3(7)/(8)): force majeure, manifest error, …"""

    __tablename__ = "order_pauses"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("removal_orders.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(200))


class Response(Base):
    """A platform's answer about one item of a referral or an order."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_item_id_id", "item_id", "id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("removal_orders.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answered_by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Clarification(Base):
    """A unit's reply to a platform's ``needs_clarification`` answer (the question)."""

    __tablename__ = "clarifications"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("removal_orders.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answered_by: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]  # when the platform first saw it (pull or webhook)


class Delivery(Base):
    """One message to one platform unit over one channel: the outbox the jobs drain."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # webhook, email
    subject_type: Mapped[str] = mapped_column(String(16))  # referral, order
    subject_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
