"""The referral loop closes: the checker's proof and the platform's answers, both kept."""

from __future__ import annotations

from takedown.checker import CheckerSettings
from takedown.interop.tabular import Row
from takedown.reports.stats import operation_stats
from takedown.services import assessment, referrals, responses
from takedown.services.intake import submit_reports
from takedown.services.operations import create_operation
from takedown.services.units import create_unit, principal_for
from takedown.services.verification import verify_items
from takedown.sim import State, World
from takedown.store.db import Database
from takedown.store.models import Item, Operation
from takedown.store.referrals import Referral, Response


def test_proof_first_then_answers_are_stored_and_the_referral_closes(
    db: Database, sim: tuple[World, int]
) -> None:
    world, port = sim
    gone = world.new("telegram", state=State.REMOVED)  # the platform removed it already
    live = world.new("telegram", state=State.LIVE)
    with db.session() as s:
        op = create_operation(s, "closure-op", actor="test")
        iru = create_unit(s, "IRU", "referral_unit", actor="test", contact="iru@example.org")
        tg = create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
    rows = [Row(1, {"url": gone.url}), Row(2, {"url": live.url})]
    submit_reports(db, op, iru, rows, actor="test", source="test")
    analyst, agent = principal_for(iru, "analyst"), principal_for(tg, "platform_agent")
    with db.session() as s:
        gone_id, live_id = (i.id for i in s.query(Item).order_by(Item.id))
        for item_id in (gone_id, live_id):
            assessment.assess_item(
                s, analyst, item_id, verdict="terrorist_content", legal_grounds="a"
            )
        operation = s.get(Operation, op.id)
        assert operation is not None
        referral = referrals.refer_items(s, analyst, operation, "telegram")
        assert referral is not None
        referral_id = referral.id

    settings = CheckerSettings(
        allow_networks=("127.0.0.1/32",), connect_to=(f"::127.0.0.1:{port}",), check_timeout=10
    )
    (check,) = verify_items(db, [gone_id], settings)
    assert check.verdict == "removed"

    with db.session() as s:  # the platform answers afterwards: neither answer is refused
        out = responses.answer_referral(
            s,
            agent,
            referral_id,
            [
                {"item_id": gone_id, "action": "removed"},
                {"item_id": live_id, "action": "declined", "reason": "not a violation"},
            ],
        )
    assert (out.stored, out.status) == (2, "closed")
    with db.session() as s:
        stored = {r.item_id: r.action for r in s.query(Response)}
        assert stored == {gone_id: "removed", live_id: "declined"}
        assert s.get(Item, gone_id).state == "verified_removed"  # type: ignore[union-attr]
        assert s.get(Item, live_id).state == "declined"  # type: ignore[union-attr]
        closed = s.get(Referral, referral_id)
        assert closed is not None and closed.closed_at is not None
        stats = operation_stats(s, s.get(Operation, op.id))  # type: ignore[arg-type]
    assert stats["taken_offline"] == 1  # the proof, once
    assert stats["removal_claimed"] == 1  # the claim, once, beside it
    assert stats["declined"] == 1
    assert stats["sent"] == 2 and stats["unanswered"] == 0


def test_a_check_that_proves_the_last_item_removed_closes_the_referral(
    db: Database, sim: tuple[World, int]
) -> None:
    world, port = sim
    first = world.new("telegram", state=State.LIVE)
    second = world.new("telegram", state=State.REMOVED)
    with db.session() as s:
        op = create_operation(s, "closure-op2", actor="test")
        iru = create_unit(s, "IRU", "referral_unit", actor="test", contact="iru@example.org")
        tg = create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
    submit_reports(
        db,
        op,
        iru,
        [Row(1, {"url": first.url}), Row(2, {"url": second.url})],
        actor="test",
        source="test",
    )
    analyst, agent = principal_for(iru, "analyst"), principal_for(tg, "platform_agent")
    with db.session() as s:
        first_id, second_id = (i.id for i in s.query(Item).order_by(Item.id))
        for item_id in (first_id, second_id):
            assessment.assess_item(
                s, analyst, item_id, verdict="terrorist_content", legal_grounds="a"
            )
        operation = s.get(Operation, op.id)
        assert operation is not None
        referral = referrals.refer_items(s, analyst, operation, "telegram")
        assert referral is not None
        referral_id = referral.id
        responses.answer_referral(
            s, agent, referral_id, [{"item_id": first_id, "action": "declined", "reason": "no"}]
        )
        assert referral.status != "closed"  # the second item is not settled yet
    verify_items(
        db,
        [second_id],
        CheckerSettings(
            allow_networks=("127.0.0.1/32",), connect_to=(f"::127.0.0.1:{port}",), check_timeout=10
        ),
    )
    with db.session() as s:
        closed = s.get(Referral, referral_id)
        assert closed is not None and closed.status == "closed"


def test_verify_reports_each_check_as_it_ends(db: Database, sim: tuple[World, int]) -> None:
    world, port = sim
    pages = [world.new("telegram", state=State.LIVE) for _ in range(3)]
    with db.session() as s:
        op = create_operation(s, "progress-op", actor="test")
        iru = create_unit(s, "IRU", "referral_unit", actor="test", contact="iru@example.org")
    submit_reports(
        db, op, iru, [Row(n, {"url": p.url}) for n, p in enumerate(pages, 1)],
        actor="test", source="test",
    )  # fmt: skip
    with db.session() as s:
        ids = [i.id for i in s.query(Item).order_by(Item.id)]
    seen: list[int] = []
    checks = verify_items(
        db,
        ids,
        CheckerSettings(
            allow_networks=("127.0.0.1/32",), connect_to=(f"::127.0.0.1:{port}",), check_timeout=10
        ),
        on_checked=lambda: seen.append(len(seen)),
    )
    assert len(seen) == len(checks) == 3
