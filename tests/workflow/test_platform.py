"""The platform side: answers and their reason rules, idempotency, closing, and the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from takedown.errors import NotFound, UserError
from takedown.services import referrals, responses
from takedown.services.responses import ReferralAnswered
from takedown.store.audit import verify_chain
from takedown.store.deconfliction import Notification
from takedown.store.referrals import Response

from .conftest import World

Ready = Callable[..., list[int]]


def _referral(world: World, urls: list[str], ready_items: Ready) -> tuple[int, list[int]]:
    ids = ready_items(urls)
    with world.db.session() as s:
        referral = referrals.refer_items(s, world.who["de_analyst"], world.operation(s), "telegram")
        assert referral is not None
        return referral.id, ids


def _answer(world: World, referral_id: int, *answers: dict[str, Any]) -> ReferralAnswered:
    with world.db.session() as s:
        return responses.answer_referral(s, world.who["tg_agent"], referral_id, list(answers))


def _responses(world: World) -> int:
    with world.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Response)) or 0)


@pytest.mark.parametrize(
    ("action", "reason", "state"),
    [
        ("removed", None, "removed_claimed"),
        ("restricted", "geo", "acknowledged"),
        ("restricted", "age", "acknowledged"),
        ("declined", "not against our terms", "declined"),
        ("impossible", "force_majeure", "impossible"),
        ("impossible", "manifest_error", "impossible"),
        ("impossible", "insufficient_information", "impossible"),
        ("needs_clarification", "which post?", "referred"),
    ],
)
def test_each_action_and_its_item_state(
    world: World, ready_items: Ready, action: str, reason: str | None, state: str
) -> None:
    referral, (item,) = _referral(world, ["https://t.me/ans_a/1"], ready_items)
    out = _answer(world, referral, {"item_id": item, "action": action, "reason": reason})
    assert (out.stored, out.unchanged) == (1, 0)
    assert world.state(item) == state
    final = action != "needs_clarification"
    assert out.status == ("closed" if final else "open")
    with world.db.session() as s:
        asked = s.scalars(
            select(Notification).where(Notification.kind == "clarification_requested")
        ).all()
    assert [(n.unit_id, n.payload["question"]) for n in asked] == (
        [] if final else [(world.unit_ids["DE-IRU"], "which post?")]
    )


@pytest.mark.parametrize(
    ("action", "reason", "problem"),
    [
        ("declined", None, "declined needs a reason"),
        ("declined", " ", "declined needs a reason"),
        ("impossible", "busy", "Annex III reason"),
        ("impossible", None, "Annex III reason"),
        ("restricted", None, "geo or age"),
        ("restricted", "country", "geo or age"),
        ("deleted", None, "is not one of"),
    ],
)
def test_reason_rules(
    world: World, ready_items: Ready, action: str, reason: str | None, problem: str
) -> None:
    referral, (item,) = _referral(world, ["https://t.me/ans_b/1"], ready_items)
    with pytest.raises(UserError, match=problem):
        _answer(world, referral, {"item_id": item, "action": action, "reason": reason})
    assert world.state(item) == "referred"
    assert _responses(world) == 0


def test_a_batch_with_one_bad_answer_stores_nothing(world: World, ready_items: Ready) -> None:
    referral, (a, _b) = _referral(
        world, ["https://t.me/ans_c/1", "https://t.me/ans_c/2"], ready_items
    )
    with pytest.raises(UserError, match="answer 2: item"):
        _answer(
            world,
            referral,
            {"item_id": a, "action": "removed"},
            {"item_id": 999_999, "action": "removed"},
        )
    assert _responses(world) == 0
    assert world.state(a) == "referred"


def test_answers_are_idempotent(world: World, ready_items: Ready) -> None:
    referral, (a, _b) = _referral(
        world, ["https://t.me/ans_d/1", "https://t.me/ans_d/2"], ready_items
    )
    answer = {"item_id": a, "action": "declined", "reason": "satire"}
    assert _answer(world, referral, answer).stored == 1
    again = _answer(world, referral, answer)
    assert (again.stored, again.unchanged) == (0, 1)
    assert _responses(world) == 1
    assert again.status == "open"  # b is unanswered


def test_removed_is_a_claim_and_the_referral_closes_when_all_are_final(
    world: World, ready_items: Ready
) -> None:
    referral, (a, b) = _referral(
        world, ["https://t.me/ans_e/1", "https://t.me/ans_e/2"], ready_items
    )
    with world.db.session() as s:
        acked = responses.acknowledge_referral(s, world.who["tg_agent"], referral)
        assert acked.status == "acknowledged"
    assert world.state(a) == world.state(b) == "acknowledged"
    first = _answer(
        world,
        referral,
        {"item_id": a, "action": "removed"},
        {"item_id": b, "action": "needs_clarification", "reason": "?"},
    )
    assert first.status == "acknowledged"
    assert world.state(a) == "removed_claimed"  # never verified_removed on a platform's word
    last = _answer(world, referral, {"item_id": b, "action": "removed"})
    assert last.status == "closed"
    assert world.state(b) == "removed_claimed"
    with world.db.session() as s:
        assert responses.list_referrals(s, world.who["tg_agent"]) == ([], None)
        closed, _ = responses.list_referrals(s, world.who["tg_agent"], status="closed")
        answers = {i["item_id"]: i["answer"]["action"] for i in closed[0]["items"]}
    assert answers == {a: "removed", b: "removed"}


def test_other_platforms_cannot_touch_a_referral(world: World, ready_items: Ready) -> None:
    referral, (item,) = _referral(world, ["https://t.me/ans_f/1"], ready_items)
    with world.db.session() as s:
        assert responses.list_referrals(s, world.who["yt_agent"], status="all") == ([], None)
    for call in (
        lambda s: responses.acknowledge_referral(s, world.who["yt_agent"], referral),
        lambda s: responses.answer_referral(
            s, world.who["yt_agent"], referral, [{"item_id": item, "action": "removed"}]
        ),
    ):
        with pytest.raises(NotFound), world.db.session() as s:
            call(s)
    assert world.state(item) == "referred"


def test_the_pull_cursor_pages_through_referrals(world: World, ready_items: Ready) -> None:
    made = []
    for n in range(3):
        referral, _ = _referral(world, [f"https://t.me/page_{n}x/1"], ready_items)
        made.append(referral)
    seen: list[int] = []
    since: int | None = 0
    with world.db.session() as s:
        while since is not None:
            page, since = responses.list_referrals(s, world.who["tg_agent"], since=since, limit=2)
            seen += [r["id"] for r in page]
    assert seen == made


def _order(world: World, ready_items: Ready, url: str) -> tuple[int, int]:
    (item,) = ready_items([url])
    with world.db.session() as s:
        order = referrals.issue_removal_order(
            s, world.who["de_senior"], item, grounds="a", reasons="r", redress="court"
        )
        return order.id, item


def test_order_answers(world: World, ready_items: Ready) -> None:
    removed, item = _order(world, ready_items, "https://t.me/ord_ans/1")
    with world.db.session() as s:
        acked = responses.acknowledge_order(s, world.who["tg_agent"], removed)
        assert acked.received_at is not None and acked.acknowledged_at is not None
    assert world.state(item) == "acknowledged"
    with world.db.session() as s:
        out = responses.answer_order(s, world.who["tg_agent"], removed, {"action": "removed"})
    assert (out.status, out.stored) == ("closed", 1)
    assert world.state(item) == "removed_claimed"
    with world.db.session() as s:
        again = responses.answer_order(s, world.who["tg_agent"], removed, {"action": "removed"})
    assert (again.stored, again.unchanged) == (0, 1)

    unclear, other = _order(world, ready_items, "https://t.me/ord_ans/2")
    with world.db.session() as s:
        out = responses.answer_order(
            s, world.who["tg_agent"], unclear, {"action": "needs_clarification", "reason": "?"}
        )
    assert out.status == "open"
    assert out.clock["paused"] is True
    assert [p["reason"] for p in out.clock["pauses"]] == ["insufficient_information"]
    assert world.state(other) == "ordered"

    stuck, third = _order(world, ready_items, "https://t.me/ord_ans/3")
    with world.db.session() as s:
        out = responses.answer_order(
            s, world.who["tg_agent"], stuck, {"action": "impossible", "reason": "force_majeure"}
        )
    assert out.clock["paused"] is True
    assert [p["reason"] for p in out.clock["pauses"]] == ["force_majeure"]
    assert world.state(third) == "impossible"


def test_the_audit_chain_verifies_after_a_full_flow(world: World, ready_items: Ready) -> None:
    referral, (a, b) = _referral(
        world, ["https://t.me/chain_a/1", "https://t.me/chain_a/2"], ready_items
    )
    world.report("fr_analyst", ["https://t.me/chain_a/1"], notes="FR")
    with world.db.session() as s:
        responses.acknowledge_referral(s, world.who["tg_agent"], referral)
    _answer(
        world,
        referral,
        {"item_id": a, "action": "removed"},
        {"item_id": b, "action": "declined", "reason": "news"},
    )
    order, _ = _order(world, ready_items, "https://t.me/chain_b/1")
    with world.db.session() as s:
        responses.list_orders(s, world.who["tg_agent"])
        responses.answer_order(s, world.who["tg_agent"], order, {"action": "removed"})
    with world.db.session() as s:
        report = verify_chain(s)
    assert report.ok, report
    assert report.events > 20
