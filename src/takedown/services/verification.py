"""Verification: automated proof that content really went offline, item by item.

``verify_items`` checks items' URLs with ``takedown.checker`` and records each observation
(``checks``) with its evidence. Only a ``removed`` verdict, which the checker gives on positive
evidence alone, seen *after* the item was referred or ordered, makes an item
``verified_removed``. A platform's claim never does; neither does an error, a timeout or a
login wall. An item seen ``online`` after the platform claimed removal is ``still_online``; one
seen online again after verified removal is ``reinstated``; one already gone before any
referral is ``gone_before_referral``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from takedown.checker import Checker, CheckerSettings, CheckResult
from takedown.checker import run as run_checks
from takedown.domain.rechecks import Observation, RecheckSchedule, time_to_removal
from takedown.services.items import change_state, lock_items
from takedown.services.referrals import settle_referrals_of
from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import Item, utcnow
from takedown.store.sends import first_sent
from takedown.store.verification import Check

SENT = {
    "referred",
    "ordered",
    "acknowledged",
    "removed_claimed",
    "still_online",
    "declined",
    "impossible",
    "reinstated",
}
BEFORE = {"new", "triaged", "assessed_positive", "ready"}


def sent_at(session: Session, item_id: int) -> datetime | None:
    """When the item was first referred or ordered (the start of every removal clock)."""
    started = first_sent([item_id])
    return session.scalar(select(started.c.sent_at))


def record_check(session: Session, item: Item, result: CheckResult, *, actor: str) -> Check:
    """Store one observation and move the item's state if the evidence says so."""
    check = Check(
        item_id=item.id,
        url=result.url,
        verdict=str(result.verdict),
        reason=result.reason,
        status=result.status,
        final_url=result.final_url,
        evidence=_jsonable(asdict(result.evidence)),
        checked_at=result.checked_at,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="item.check",
        object_type="item",
        object_id=item.id,
        change={
            "check_id": check.id,
            "verdict": check.verdict,
            "reason": check.reason,
            "body_sha256": result.evidence.body_sha256,
        },
    )
    verdict = check.verdict
    since = sent_at(session, item.id)
    why = f"check {check.id}: {check.reason}"
    if verdict == "removed":
        if item.state in SENT and since is not None and check.checked_at >= since:
            change_state(session, item, "verified_removed", actor=actor, why=why, check_id=check.id)
            settle_referrals_of(session, item, actor=actor)
        elif item.state in BEFORE:
            change_state(
                session, item, "gone_before_referral", actor=actor, why=why, check_id=check.id
            )
    elif verdict == "online":
        if item.state == "removed_claimed":
            change_state(session, item, "still_online", actor=actor, why=why, check_id=check.id)
        elif item.state == "verified_removed":
            change_state(session, item, "reinstated", actor=actor, why=why, check_id=check.id)
    return check


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def verify_items(
    db: Database,
    item_ids: Iterable[int],
    settings: CheckerSettings,
    *,
    actor: str = "system:checker",
    on_checked: Callable[[], None] | None = None,
) -> list[Check]:
    """Check the items' URLs now (concurrently, under the checker's limits) and record it all.

    ``on_checked`` is called once per URL as its check ends (a progress bar moves with it).
    """
    ids = list(item_ids)
    with db.session() as session:
        urls = {i.id: i.url for i in session.scalars(select(Item).where(Item.id.in_(ids)))}

    async def check_all() -> list[tuple[int, CheckResult]]:
        async with Checker(settings) as checker:
            order = list(urls.items())
            results = await checker.check_many(
                [u for _, u in order],
                (lambda _result: on_checked()) if on_checked is not None else None,
            )
            return [(item_id, r) for (item_id, _), r in zip(order, results, strict=True)]

    results = run_checks(check_all())
    recorded = []
    with db.session() as session:
        locked = lock_items(session, [item_id for item_id, _ in results])
        for item_id, result in results:
            item = locked.get(item_id)
            if item is not None:
                recorded.append(record_check(session, item, result, actor=actor))
    return recorded


def due_for_recheck(
    session: Session,
    now: datetime | None = None,
    schedule: RecheckSchedule | None = None,
    limit: int = 1000,
) -> list[int]:
    """Items whose next planned check (after referral: +1 h, +6 h, +24 h, daily, weekly) is due.

    One query reads, for every sent item, when it was first sent, when it was last checked
    and when a check first saw it removed after that; the schedule decides here, item by item,
    without asking the database again.
    """
    now = now or utcnow()
    schedule = schedule or RecheckSchedule()
    started = first_sent()
    last = (
        select(Check.item_id, func.max(Check.checked_at).label("last"))
        .group_by(Check.item_id)
        .subquery("last_check")
    )
    since = first_sent()
    removed = (
        select(Check.item_id, func.min(Check.checked_at).label("removed_at"))
        .join(since, since.c.item_id == Check.item_id)
        .where(Check.verdict == "removed", Check.checked_at >= since.c.sent_at)
        .group_by(Check.item_id)
        .subquery("first_removed")
    )
    query = (
        select(Item.id, started.c.sent_at, last.c.last, removed.c.removed_at)
        .join(started, started.c.item_id == Item.id)
        .outerjoin(last, last.c.item_id == Item.id)
        .outerjoin(removed, removed.c.item_id == Item.id)
        .where(or_(Item.state.in_(SENT), Item.state == "verified_removed"))
        .order_by(Item.id)
        .execution_options(yield_per=2000)
    )
    due: list[int] = []
    result = session.execute(query)
    try:
        for item_id, start, last_at, removed_at in result:
            nxt = schedule.next_after(start, last_at or start, removed_at)
            if nxt is not None and nxt <= now:
                due.append(item_id)
                if len(due) >= limit:
                    break
    finally:
        result.close()
    return due


def removal_report(session: Session, item_id: int) -> dict[str, Any] | None:
    """Time to removal as an interval (last online → first removed), never more precise."""
    start = sent_at(session, item_id)
    if start is None:
        return None
    checks = session.execute(
        select(Check.checked_at, Check.verdict).where(Check.item_id == item_id)
    ).all()
    interval = time_to_removal(start, [Observation(at, verdict) for at, verdict in checks])
    if interval is None:
        return None
    low, high = interval.delay_bounds(start)
    return {
        "sent_at": start,
        "removed_after": interval.after,
        "removed_by": interval.by,
        "delay_min_seconds": int(low.total_seconds()),
        "delay_max_seconds": int(high.total_seconds()),
        "reinstatements": interval.reinstatements,
        "text": interval.describe(start),
    }
