"""Items: the one way an item's state changes, and how items are shown to each unit.

Writers of one item take turns: every service that decides on an item's state and then writes
(an assessment, a send, a platform's answer) first calls ``lock_items``, so that what it read
is still true when it writes (see there).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text
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


# PostgreSQL advisory locks (two-key form) in a space of their own; the audit trail's lock
# (store.audit) is a single 64-bit key, which never meets these. Key 0 stands for every item;
# an item's key is its id folded into 1..2^31-1 (two ids on one key only wait for each other).
ITEM_LOCKS = 7243002
ALL_ITEMS = 0
EACH_MAX = 32  # past this many items, one lock on all of them (PostgreSQL's lock table is finite)


def lock_items(session: Session, item_ids: Iterable[int]) -> dict[int, Item]:
    """Take the items for the rest of this transaction, and read them as they are now.

    Call it once, first: before reading what the write depends on and before any audit event.
    A second writer of the same item then waits here until the first has committed, and reads
    what it wrote. On SQLite it takes nothing: ``BEGIN IMMEDIATE`` already gives every write
    transaction the database to itself. On PostgreSQL it takes transaction-scoped advisory
    locks: up to ``EACH_MAX`` items, "all items" shared and then each item's, in key order;
    more, "all items" alone, exclusive (a large referral waits for the writers of single items,
    and they for it). Advisory locks stop only other callers of this function, never a plain
    write, so a writer that does not call it cannot close a circle with one that does around
    the audit trail's lock (taken after these, at the first audit event).

    Returns the items found, re-read (an item loaded earlier in the session is refreshed).
    """
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        _advisory_locks(session, ids)
    found: dict[int, Item] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(Item)
            .where(Item.id.in_(ids[start : start + 500]))
            .execution_options(populate_existing=True)
        )
        found |= {item.id: item for item in rows}
    return found


def _advisory_locks(session: Session, ids: list[int]) -> None:
    space = {"space": ITEM_LOCKS, "all": ALL_ITEMS}
    if len(ids) > EACH_MAX:
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :all)"), space)
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:space, :all)"), space)
    keys = sorted({(i - 1) % 0x7FFFFFFF + 1 for i in ids})
    session.execute(  # one statement, in key order: unnest yields the array's order
        text(
            "SELECT count(pg_advisory_xact_lock(:space, k)) "
            "FROM unnest(CAST(:keys AS integer[])) AS k"
        ),
        {**space, "keys": keys},
    )


def lock_item(session: Session, item_id: int) -> Item:
    """``lock_items`` for one item; NotFound when there is none."""
    item = lock_items(session, [item_id]).get(item_id)
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
                "url_secret": report.url_secret if own else None,
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
