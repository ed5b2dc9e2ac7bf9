"""Operation statistics. Every figure says what it counts (see ``DEFINITIONS``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from takedown.domain.answers import FINAL, Action
from takedown.domain.deadlines import ANSWER_WINDOW
from takedown.domain.rechecks import Observation, time_to_removal
from takedown.store.models import Item, Operation, Report, Unit, utcnow
from takedown.store.referrals import Referral, ReferralItem, RemovalOrder, Response
from takedown.store.sends import first_sent
from takedown.store.verification import Check

DEFINITIONS = {
    "reports": "reports received in this operation: every unit's sighting of a URL, all kept",
    "items": "distinct pieces of content: reports merged by canonical key",
    "merged": "reports that joined an item which already existed (reports minus items)",
    "by_platform": "items per platform, as takedown.urls recognises it",
    "by_kind": "items per kind (account, post, invite, collection, file, page, site)",
    "by_state": "items per workflow state",
    "by_unit": "per reporting unit: reports it sent, and distinct items they touched",
    "multi_unit_items": "items reported by two or more units",
    "sent": "items referred or ordered to a platform in this operation",
    "referred": "items sent in a referral (a voluntary request) in this operation",
    "ordered": "items sent in a removal order in this operation",
    "already_sent_elsewhere": (
        "items not sent in this operation because the same content (key) was referred or "
        "ordered in another operation: that send is still open or proved the content removed"
    ),
    "taken_offline": (
        "items verified_removed: a check saw positive evidence of removal (404/410, a removal "
        "page, a suspension marker) after the referral or order; never a platform's claim alone"
    ),
    "removal_claimed": "items a platform answered 'removed' for: a claim, not proof",
    "claimed_but_online": "items a platform said were removed that a later check saw online",
    "declined": "sent items whose latest platform answer is 'declined'",
    "unanswered": (
        "referred items with no final answer (removed, restricted, declined, impossible) "
        "within the answer window, and not proved removed by a check"
    ),
    "time_to_removal": (
        "sent items verified removed, by when removal was first seen: the upper bound of the "
        "interval from the last online check to the first removed one (no finer than the "
        "check schedule allows)"
    ),
}
BUCKETS = ((3600, "by_1h"), (6 * 3600, "1h_to_6h"), (86400, "6h_to_24h"))  # exclusive bins


def operation_stats(
    session: Session,
    op: Operation,
    *,
    answer_window: timedelta = ANSWER_WINDOW,
    now: datetime | None = None,
) -> dict[str, Any]:
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
        **_outcomes(session, op, answer_window, now or utcnow()),
        "definitions": DEFINITIONS,
    }


def _outcomes(
    session: Session, op: Operation, answer_window: timedelta, now: datetime
) -> dict[str, Any]:
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
                Response.item_id.in_(in_op), Response.action == Action.REMOVED.value
            )
        )
    )
    latest: dict[int, str] = {}  # the latest answer per item
    for item_id, action in session.execute(
        select(Response.item_id, Response.action)
        .where(Response.item_id.in_(in_op))
        .order_by(Response.id)
    ):
        latest[item_id] = action
    verified = list(
        session.scalars(
            select(Item.id).where(Item.operation_id == op.id, Item.state == "verified_removed")
        )
    )
    still = session.scalar(
        select(func.count()).where(Item.operation_id == op.id, Item.state == "still_online")
    )
    waited = set(  # referred in a referral older than the answer window
        session.scalars(
            select(ReferralItem.item_id)
            .join(Referral, Referral.id == ReferralItem.referral_id)
            .where(Referral.operation_id == op.id, Referral.created_at <= now - answer_window)
        )
    )
    final = {i for i, action in latest.items() if action in FINAL}
    buckets = {name: 0 for _, name in BUCKETS} | {"after_24h": 0, "unknown": 0}
    delays = _removal_delays(
        session,
        select(Item.id).where(Item.operation_id == op.id, Item.state == "verified_removed"),
    )
    for item_id in verified:
        upper = delays.get(item_id)
        if upper is None:
            buckets["unknown"] += 1
            continue
        name = next((n for limit, n in BUCKETS if upper <= limit), "after_24h")
        buckets[name] += 1
    sent = referred | ordered
    return {
        "sent": len(sent),
        "referred": len(referred),
        "ordered": len(ordered),
        "already_sent_elsewhere": _sent_elsewhere(session, op),
        "taken_offline": len(verified),
        "removal_claimed": len(claimed),
        "claimed_but_online": int(still or 0),
        "declined": sum(1 for i in sent if latest.get(i) == Action.DECLINED.value),
        "unanswered": len(waited - final - set(verified)),
        "time_to_removal": buckets,
    }


def _removal_delays(session: Session, items: Any) -> dict[int, int]:
    """For each of ``items`` (a subquery of ids) seen removed after it was sent: the upper
    bound, in whole seconds, of its time to removal (``domain.rechecks.time_to_removal``). One
    query reads every check of every such item."""
    started = first_sent(items)
    observed: dict[int, tuple[datetime, list[Observation]]] = {}
    for item_id, sent_at, at, verdict in session.execute(
        select(Check.item_id, started.c.sent_at, Check.checked_at, Check.verdict)
        .join(started, started.c.item_id == Check.item_id)
        .order_by(Check.item_id)
    ):
        observed.setdefault(item_id, (sent_at, []))[1].append(Observation(at, verdict))
    delays = {}
    for item_id, (sent_at, observations) in observed.items():
        interval = time_to_removal(sent_at, observations)
        if interval is not None:
            delays[item_id] = int(interval.delay_bounds(sent_at)[1].total_seconds())
    return delays


def _sent_keys(session: Session) -> Any:
    """Items referred or ordered, in any operation (a subquery of item ids)."""
    return select(ReferralItem.item_id).union(select(RemovalOrder.item_id)).subquery()


def _sent_elsewhere(session: Session, op: Operation) -> int:
    """Items of ``op`` not sent in it whose key was sent in another operation (one count)."""
    sent = select(_sent_keys(session).c.item_id)
    elsewhere = select(Item.key).where(Item.operation_id != op.id, Item.id.in_(sent))
    count = session.scalar(
        select(func.count()).where(
            Item.operation_id == op.id, Item.key.in_(elsewhere), Item.id.not_in(sent)
        )
    )
    return int(count or 0)


ALL_DEFINITIONS = {
    "operations": "operations in this instance",
    "reports": "reports received in every operation: every unit's sighting, all kept",
    "items": "distinct pieces of content across operations: each key counts once",
    "by_platform": "distinct pieces of content per platform",
    "sent": "distinct pieces of content referred or ordered in any operation",
    "taken_offline": (
        "distinct pieces of content verified_removed in some operation: a check saw positive "
        "evidence of removal after the referral or order; never a platform's claim alone"
    ),
    "removal_claimed": "distinct pieces of content a platform answered 'removed' for",
    "declined": "sent content whose latest platform answer, in any operation, is 'declined'",
}


def all_operations_stats(session: Session) -> dict[str, Any]:
    """Figures across every operation, each piece of content (key) counted once."""
    sent = _sent_keys(session)
    keys_per_platform = session.execute(
        select(Item.platform, func.count(distinct(Item.key))).group_by(Item.platform)
    )
    latest: dict[str, str] = {}
    for key, action in session.execute(
        select(Item.key, Response.action)
        .join(Response, Response.item_id == Item.id)
        .order_by(Response.id)
    ):
        latest[key] = action
    sent_keys = set(session.scalars(select(Item.key).where(Item.id.in_(select(sent.c.item_id)))))

    def keys(*where: Any) -> int:
        return int(session.scalar(select(func.count(distinct(Item.key))).where(*where)) or 0)

    claimed = select(Response.item_id).where(Response.action == Action.REMOVED.value)
    return {
        "operations": int(session.scalar(select(func.count()).select_from(Operation)) or 0),
        "reports": int(session.scalar(select(func.count()).select_from(Report)) or 0),
        "items": keys(),
        "by_platform": {
            str(k): int(v) for k, v in sorted(keys_per_platform, key=lambda r: (-r[1], str(r[0])))
        },
        "sent": len(sent_keys),
        "taken_offline": keys(Item.state == "verified_removed"),
        "removal_claimed": keys(Item.id.in_(claimed)),
        "declined": sum(1 for k in sent_keys if latest.get(k) == Action.DECLINED.value),
        "definitions": ALL_DEFINITIONS,
    }
