"""Operation statistics. Every figure says what it counts (see ``DEFINITIONS``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from takedown.store.models import Item, Operation, Report, Unit

DEFINITIONS = {
    "reports": "reports received in this operation: every unit's sighting of a URL, all kept",
    "items": "distinct pieces of content: reports merged by canonical key",
    "merged": "reports that joined an item which already existed (reports minus items)",
    "by_platform": "items per platform, as takedown.urls recognises it",
    "by_kind": "items per kind (account, post, invite, collection, file, page, site)",
    "by_state": "items per workflow state",
    "by_unit": "per reporting unit: reports it sent, and distinct items they touched",
    "multi_unit_items": "items reported by two or more units",
    "sent": "items referred or ordered to a platform",
    "taken_offline": (
        "items verified_removed: a check saw positive evidence of removal (404/410, a removal "
        "page, a suspension marker) after the referral or order; never a platform's claim alone"
    ),
    "removal_claimed": "items a platform answered 'removed' for: a claim, not proof",
    "claimed_but_online": "items a platform said were removed that a later check saw online",
    "time_to_removal": (
        "sent items verified removed, by when removal was first seen: the upper bound of the "
        "interval from the last online check to the first removed one (no finer than the "
        "check schedule allows)"
    ),
}
BUCKETS = ((3600, "by_1h"), (6 * 3600, "1h_to_6h"), (86400, "6h_to_24h"))  # exclusive bins


def operation_stats(session: Session, op: Operation) -> dict[str, Any]:
    reports = session.scalar(select(func.count()).where(Report.operation_id == op.id)) or 0
    items = session.scalar(select(func.count()).where(Item.operation_id == op.id)) or 0

    def grouped(column: Any) -> dict[str, int]:
        rows = session.execute(
            select(column, func.count()).where(Item.operation_id == op.id).group_by(column)
        )
        return {str(k): int(v) for k, v in sorted(rows, key=lambda r: (-r[1], str(r[0])))}

    per_unit = session.execute(
        select(Unit.name, func.count(), func.count(distinct(Report.item_id)))
        .join(Unit, Unit.id == Report.unit_id)
        .where(Report.operation_id == op.id)
        .group_by(Unit.name)
        .order_by(Unit.name)
    )
    multi = (
        select(Report.item_id)
        .where(Report.operation_id == op.id)
        .group_by(Report.item_id)
        .having(func.count(distinct(Report.unit_id)) > 1)
        .subquery()
    )
    multi_unit = session.scalar(select(func.count()).select_from(multi)) or 0
    return {
        "operation": op.name,
        "reports": int(reports),
        "items": int(items),
        "merged": int(reports) - int(items),
        "by_platform": grouped(Item.platform),
        "by_kind": grouped(Item.kind),
        "by_state": grouped(Item.state),
        "by_unit": {name: {"reports": int(n), "items": int(i)} for name, n, i in per_unit},
        "multi_unit_items": int(multi_unit),
        **_outcomes(session, op),
        "definitions": DEFINITIONS,
    }


def _outcomes(session: Session, op: Operation) -> dict[str, Any]:
    from takedown.services.verification import removal_report
    from takedown.store.referrals import ReferralItem, RemovalOrder, Response

    in_op = select(Item.id).where(Item.operation_id == op.id)
    referred = set(
        session.scalars(select(ReferralItem.item_id).where(ReferralItem.item_id.in_(in_op)))
    )
    ordered = set(
        session.scalars(select(RemovalOrder.item_id).where(RemovalOrder.item_id.in_(in_op)))
    )
    claimed = set(
        session.scalars(
            select(Response.item_id).where(
                Response.item_id.in_(in_op), Response.action == "removed"
            )
        )
    )
    verified = list(
        session.scalars(
            select(Item.id).where(Item.operation_id == op.id, Item.state == "verified_removed")
        )
    )
    still = session.scalar(
        select(func.count()).where(Item.operation_id == op.id, Item.state == "still_online")
    )
    buckets = {name: 0 for _, name in BUCKETS} | {"after_24h": 0, "unknown": 0}
    for item_id in verified:
        report = removal_report(session, item_id)
        if report is None:
            buckets["unknown"] += 1
            continue
        upper = report["delay_max_seconds"]
        name = next((n for limit, n in BUCKETS if upper <= limit), "after_24h")
        buckets[name] += 1
    return {
        "sent": len(referred | ordered),
        "referred": len(referred),
        "ordered": len(ordered),
        "taken_offline": len(verified),
        "removal_claimed": len(claimed),
        "claimed_but_online": int(still or 0),
        "time_to_removal": buckets,
    }
