"""Items: the one way an item's state changes, and how items are shown to each unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.domain.states import TransitionError, check_transition
from takedown.errors import NotFound, UserError
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Item, Report, Unit, utcnow


def get_item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"no item with id {item_id}")
    return item


def change_state(
    session: Session, item: Item, target: str, *, actor: str, why: str, **detail: Any
) -> None:
    """Move an item to ``target`` if the transition is allowed, with its audit event."""
    if item.state == target:
        return
    try:
        check_transition(item.state, target)
    except TransitionError as exc:
        raise UserError(f"item {item.id}: {exc}") from None
    before = item.state
    item.state = target
    item.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="item.state",
        object_type="item",
        object_id=item.id,
        change={"from": before, "to": target, "why": why, **detail},
    )


def item_view(session: Session, item: Item, who: Principal) -> dict[str, Any]:
    """An item as ``who`` may see it: other units' notes are never shown."""
    see_all = who.role == "auditor" and who.unit_kind == "oversight"
    rows = session.execute(
        select(Report, Unit.name)
        .join(Unit, Unit.id == Report.unit_id)
        .where(Report.item_id == item.id)
        .order_by(Report.id)
    ).all()
    reports = []
    for report, unit_name in rows:
        own = see_all or report.unit_id == who.unit_id
        reports.append(
            {
                "report_id": report.id,
                "unit": unit_name,
                "url": report.url,
                "reported_at": report.reported_at,
                "title": report.title,
                "language": report.language,
                "content_type": report.content_type,
                "group": report.group_name,
                "external_id": report.external_id if own else None,
                "notes": report.notes if own else None,
            }
        )
    return {**item_summary(item), "parents": item.parents, "flags": item.flags, "reports": reports}


def item_summary(item: Item) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "key": item.key,
        "url": item.url,
        "canonical_url": item.canonical_url,
        "platform": item.platform,
        "kind": item.kind,
        "account": item.account,
        "state": item.state,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def list_items(
    session: Session,
    operation_id: int,
    *,
    state: str | None = None,
    platform: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> tuple[list[Item], int | None]:
    """A page of items by id; returns the page and the cursor for the next one."""
    query = select(Item).where(Item.operation_id == operation_id, Item.id > after)
    if state:
        query = query.where(Item.state == state)
    if platform:
        query = query.where(Item.platform == platform)
    rows = list(session.scalars(query.order_by(Item.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
