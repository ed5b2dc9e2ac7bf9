"""When items were first sent to a platform: the start of every removal clock.

An item is sent in a referral (``referral_items``, at the referral's ``created_at``) or in a
removal order (``issued_at``); the earlier of all its sends starts the clock. One grouped
query answers it for any number of items, so that no caller asks item by item.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, func, select, union_all

from takedown.store.referrals import Referral, ReferralItem, RemovalOrder


def first_sent(items: Any = None) -> Subquery:
    """``(item_id, sent_at)``: each sent item's first send. ``items``, a subquery of item ids
    (or a list of them), limits it to those items."""
    referred = select(ReferralItem.item_id.label("item_id"), Referral.created_at.label("at")).join(
        Referral, Referral.id == ReferralItem.referral_id
    )
    ordered = select(RemovalOrder.item_id.label("item_id"), RemovalOrder.issued_at.label("at"))
    if items is not None:
        referred = referred.where(ReferralItem.item_id.in_(items))
        ordered = ordered.where(RemovalOrder.item_id.in_(items))
    sends = union_all(referred, ordered).subquery("sends")
    return (
        select(sends.c.item_id, func.min(sends.c.at).label("sent_at"))
        .group_by(sends.c.item_id)
        .subquery("first_sent")
    )
