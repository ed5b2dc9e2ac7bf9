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
}


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
        "definitions": DEFINITIONS,
    }
