"""Verification end to end: simulator pages, recorded checks, states and the recheck job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from takedown.checker import CheckerSettings
from takedown.config import Settings
from takedown.interop.tabular import Row
from takedown.jobs.queue import Jobs
from takedown.reports.stats import operation_stats
from takedown.services import assessment, referrals, responses
from takedown.services.intake import submit_reports
from takedown.services.operations import create_operation
from takedown.services.units import create_unit, principal_for
from takedown.services.verification import due_for_recheck, removal_report, verify_items
from takedown.sim import Fault, State, World
from takedown.store.db import Database
from takedown.store.models import Item, Operation, utcnow


def _checker(port: int) -> CheckerSettings:
    return CheckerSettings(
        allow_networks=("127.0.0.1/32",), connect_to=(f"::127.0.0.1:{port}",), check_timeout=10
    )


def _referred(db: Database, urls: list[str]) -> tuple[Operation, list[int]]:
    """An operation whose items (one per URL) are assessed and referred to telegram."""
    with db.session() as s:
        op = create_operation(s, "verify-op", actor="test")
        iru = create_unit(s, "IRU", "referral_unit", actor="test")
        tg = create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
    rows = [Row(n, {"url": u}) for n, u in enumerate(urls, start=1)]
    submit_reports(db, op, iru, rows, actor="test", source="test")
    who = principal_for(iru, "analyst")
    with db.session() as s:
        ids = [i.id for i in s.query(Item).order_by(Item.id)]
        for item_id in ids:
            assessment.assess_item(s, who, item_id, verdict="terrorist_content", legal_grounds="a")
        operation = s.get(Operation, op.id)
        assert operation is not None
        referral = referrals.refer_items(s, who, operation, "telegram")
        assert referral is not None
        agent = principal_for(tg, "platform_agent")
        responses.answer_referral(
            s, agent, referral.id, [{"item_id": i, "action": "removed"} for i in ids]
        )
    return op, ids


def test_only_positive_evidence_makes_an_item_verified_removed(
    db: Database, sim: tuple[World, int]
) -> None:
    world, port = sim
    gone = world.new("telegram", state=State.REMOVED)
    live = world.new("telegram", state=State.LIVE)
    op, (gone_id, live_id) = _referred(db, [gone.url, live.url])

    checks = verify_items(db, [gone_id, live_id], _checker(port))

    assert {c.item_id: c.verdict for c in checks} == {gone_id: "removed", live_id: "online"}
    with db.session() as s:
        assert s.get(Item, gone_id).state == "verified_removed"  # type: ignore[union-attr]
        # the platform said "removed", the page is still there: a claim, not a removal
        assert s.get(Item, live_id).state == "still_online"  # type: ignore[union-attr]
        stats = operation_stats(s, op)
        report = removal_report(s, gone_id)
    assert stats["taken_offline"] == 1
    assert stats["removal_claimed"] == 2
    assert stats["claimed_but_online"] == 1
    assert report is not None and report["delay_max_seconds"] >= 0
    check = checks[0]
    assert check.evidence["body_sha256"] and check.evidence["chain"]


def test_a_poisoned_redirect_is_its_own_items_verdict_and_the_batch_is_recorded(
    db: Database, sim: tuple[World, int]
) -> None:
    """One page answers with a Location that is no URL: that item's check says so
    (unreachable or unknown, with the reason), and every other item's check is recorded."""
    world, port = sim
    gone = world.new("telegram", state=State.REMOVED)
    poisoned = world.new("telegram", state=State.LIVE, fault=Fault.POISONED_REDIRECT)
    live = world.new("telegram", state=State.LIVE)
    _, (gone_id, poisoned_id, live_id) = _referred(db, [gone.url, poisoned.url, live.url])

    checks = {
        c.item_id: c for c in verify_items(db, [gone_id, poisoned_id, live_id], _checker(port))
    }

    assert checks[gone_id].verdict == "removed" and checks[live_id].verdict == "online"
    assert checks[poisoned_id].verdict in ("unreachable", "unknown")
    assert checks[poisoned_id].reason
    with db.session() as s:
        states = {i: s.get(Item, i).state for i in (gone_id, poisoned_id, live_id)}  # type: ignore[union-attr]
    assert states == {
        gone_id: "verified_removed",
        poisoned_id: "removed_claimed",  # nothing proven either way
        live_id: "still_online",
    }


def test_a_reinstated_item_is_counted_honestly(db: Database, sim: tuple[World, int]) -> None:
    world, port = sim
    item = world.new("telegram", state=State.REMOVED)
    _, (item_id,) = _referred(db, [item.url])
    verify_items(db, [item_id], _checker(port))
    item.state = State.LIVE  # the content comes back
    verify_items(db, [item_id], _checker(port))
    with db.session() as s:
        assert s.get(Item, item_id).state == "reinstated"  # type: ignore[union-attr]


def test_an_unreachable_platform_proves_nothing(db: Database, sim: tuple[World, int]) -> None:
    world, _ = sim
    item = world.new("telegram", state=State.REMOVED)
    _, (item_id,) = _referred(db, [item.url])
    closed = CheckerSettings(
        allow_networks=("127.0.0.1/32",),
        connect_to=("::127.0.0.1:9",),
        check_timeout=5,
        retries=0,
    )
    (check,) = verify_items(db, [item_id], closed)
    assert check.verdict in ("unreachable", "unknown")
    with db.session() as s:
        assert s.get(Item, item_id).state == "removed_claimed"  # type: ignore[union-attr]


def test_the_recheck_job_checks_items_when_their_schedule_is_due(
    db: Database, sim: tuple[World, int], tmp_path: Path
) -> None:
    world, port = sim
    item = world.new("telegram", state=State.REMOVED)
    _, (item_id,) = _referred(db, [item.url])
    with db.session() as s:
        assert due_for_recheck(s) == []  # just referred: the first recheck is at +1 h
        assert due_for_recheck(s, now=utcnow() + timedelta(hours=1, minutes=1)) == [item_id]
    settings = Settings(
        data_dir=tmp_path,
        database_url=db.url,
        checker_allow_networks=["127.0.0.1/32"],
        checker_connect_to=[f"::127.0.0.1:{port}"],
    )
    jobs = Jobs(settings, db, immediate=True)
    try:
        jobs._recheck(now=utcnow() + timedelta(hours=1, minutes=1))
    finally:
        jobs.close()
    with db.session() as s:
        assert s.get(Item, item_id).state == "verified_removed"  # type: ignore[union-attr]
