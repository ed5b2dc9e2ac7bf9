"""The lifecycles beside an item's state: referrals, orders, holds, deliveries, notifications.

Each is a fixed vocabulary of stable lowercase strings (what the database stores and the API
sends); the API declares them as enums. An item's own states are ``domain.states.ItemState``.
"""

from __future__ import annotations

from enum import StrEnum


class ReferralStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"  # every item settled, or the answer window passed


class OrderStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # removed, restricted or declined: the clock stopped


class ReferralFilter(StrEnum):
    """What a platform's pull list of referrals shows: ``open`` is every one not closed."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    ALL = "all"


class OrderFilter(StrEnum):
    """What a platform's pull list of removal orders shows."""

    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


class HoldStatus(StrEnum):
    HELD = "held"  # active: not released and not expired
    RELEASED = "released"  # released by its holder, or expired


class HoldTarget(StrEnum):
    """What a hold covers: one content key, an account or site (and all under it), or a
    signal (a hash of evidence)."""

    KEY = "key"
    ACCOUNT = "account"
    SIGNAL = "signal"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # the dead-letter state: every attempt failed


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class Subject(StrEnum):
    """What a delivery carries."""

    REFERRAL = "referral"
    ORDER = "order"


class NotificationKind(StrEnum):
    HOLD_BLOCKED = "hold_blocked"  # a hold stopped an item from being referred or ordered
    ORDER_COPY = "order_copy"  # Art. 4: a copy of an order for the host member state
    ORDER_PAUSED = "order_paused"  # the provider stopped an order's clock
    ORDER_OVERDUE = "order_overdue"  # an order is past its deadline
    CLARIFICATION_REQUESTED = "clarification_requested"  # a platform asked a question
