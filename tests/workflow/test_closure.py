"""The referral loop closes: answers kept as history, the answer window, one register across
operations, unserved platforms, holds on a need-to-know basis, and questions answered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from takedown.errors import Forbidden, UserError
from takedown.reports.stats import all_operations_stats, operation_stats
from takedown.services import deconfliction, items, operations, referrals, responses, units
from takedown.services.responses import ReferralAnswered
from takedown.store.deconfliction import Notification
from takedown.store.models import Item, utcnow
from takedown.store.referrals import Referral, Response

from .conftest import World

Ready = Callable[..., list[int]]
ANNEX_I = {"grounds": "a", "reasons": "instructions for an attack", "redress": "VG Berlin, 1 mo"}


def _refer(world: World, caller: str = "de_analyst", op: str = "OP1", platform: str = "telegram",
           **kw: bool) -> referrals.ReferOutcome:  # fmt: skip
    with world.db.session() as s:
        return referrals.refer_ready(s, world.who[caller], world.operation(s, op), platform, **kw)


def _answer(world: World, referral_id: int, *answers: dict[str, object]) -> ReferralAnswered:
    with world.db.session() as s:
        return responses.answer_referral(s, world.who["tg_agent"], referral_id, list(answers))


def _referral(world: World, referral_id: int) -> Referral:
    with world.db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral is not None
        return referral


def test_a_changed_answer_is_history_and_the_state_follows_the_latest(
    world: World, ready_items: Ready
) -> None:
    item, other = ready_items(["https://t.me/hist_a/1", "https://t.me/hist_a/2"])
    outcome = _refer(world)
    assert outcome.referral is not None
    rid = outcome.referral.id
    _answer(world, rid, {"item_id": item, "action": "removed"})
    assert world.state(item) == "removed_claimed"
    again = _answer(world, rid, {"item_id": item, "action": "removed"})  # the same: stored once
    assert (again.stored, again.unchanged) == (0, 1)
    _answer(world, rid, {"item_id": item, "action": "declined", "reason": "on appeal"})
    assert world.state(item) == "declined"
    _answer(world, rid, {"item_id": item, "action": "removed"})
    assert world.state(item) == "removed_claimed"
    with world.db.session() as s:
        history = list(
            s.scalars(select(Response.action).where(Response.item_id == item).order_by(Response.id))
        )
    assert history == ["removed", "declined", "removed"]
    assert _referral(world, rid).status != "closed"  # the other item is still unanswered
    out = _answer(world, rid, {"item_id": other, "action": "restricted", "reason": "geo"})
    assert out.status == "closed"


def test_an_unanswered_referral_closes_after_the_answer_window(
    world: World, ready_items: Ready
) -> None:
    answered, silent = ready_items(["https://t.me/win_a/1", "https://t.me/win_a/2"])
    outcome = _refer(world)
    assert outcome.referral is not None
    rid = outcome.referral.id
    _answer(world, rid, {"item_id": answered, "action": "removed"})
    window = timedelta(days=7)
    with world.db.session() as s:  # inside the window: nothing closes
        assert referrals.close_unanswered_referrals(s, window, utcnow() + timedelta(days=6)) == []
    later = utcnow() + timedelta(days=7, minutes=1)
    with world.db.session() as s:
        closed = referrals.close_unanswered_referrals(s, window, later)
        assert [r.id for r in closed] == [rid]
        stats = operation_stats(s, world.operation(s), answer_window=window, now=later)
    assert _referral(world, rid).status == "closed"
    assert stats["unanswered"] == 1 and stats["removal_claimed"] == 1
    assert world.state(silent) == "referred"  # silence is not an answer: the state stays
    with world.db.session() as s:  # an order may follow the unanswered referral
        order = referrals.issue_removal_order(s, world.who["de_senior"], silent, **ANNEX_I)
        assert order.item_id == silent


def test_content_is_not_sent_again_while_another_operation_has_it_open(
    world: World, ready_items: Ready
) -> None:
    with world.db.session() as s:
        operations.create_operation(s, "OP2", actor="test")
    url = "https://t.me/register_a/7"
    (first,) = ready_items([url])
    sent = _refer(world)
    assert sent.referral is not None
    (second,) = world.report("fr_analyst", ["https://t.me/s/register_a/7"], op="OP2")
    world.assess("fr_analyst", second)
    assert world.state(second) == "ready"

    later = _refer(world, "fr_analyst", op="OP2")
    assert later.referral is None
    (link,) = later.sent_elsewhere[second]
    assert (link.operation, link.referral_id, link.status) == ("OP1", sent.referral.id, "open")
    assert world.state(second) == "ready"  # it waits, linked to the earlier referral
    with world.db.session() as s:
        stats = operation_stats(s, world.operation(s, "OP2"))
        view = referrals.earlier_sends(s, [s.get(Item, second)])  # type: ignore[list-item]
    assert (stats["sent"], stats["already_sent_elsewhere"]) == (0, 1)
    assert view[second][0].as_dict()["blocks"] is True
    refused = pytest.raises(UserError, match="already referred in operation 'OP1'")
    with refused, world.db.session() as s:
        referrals.issue_removal_order(s, world.who["nl_senior"], second, **ANNEX_I)

    # the platform declines in OP1: the referral is closed, so OP2 may send it again
    _answer(world, sent.referral.id, {"item_id": first, "action": "declined", "reason": "no"})
    again = _refer(world, "fr_analyst", op="OP2")
    assert again.referral is not None and again.items == [second]
    with world.db.session() as s:
        assert all_operations_stats(s)["sent"] == 1  # one piece of content, sent twice


def test_content_proved_removed_is_not_sent_again_in_another_operation(
    world: World, ready_items: Ready
) -> None:
    with world.db.session() as s:
        operations.create_operation(s, "OP2", actor="test")
    (first,) = ready_items(["https://t.me/register_b/1"])
    sent = _refer(world)
    assert sent.referral is not None
    _answer(world, sent.referral.id, {"item_id": first, "action": "removed"})
    with world.db.session() as s:  # a check proved it removed (what record_check does)
        item = s.get(Item, first)
        assert item is not None
        items.change_state(s, item, "verified_removed", actor="test", why="a check")
    (second,) = world.report("fr_analyst", ["https://t.me/register_b/1"], op="OP2")
    world.assess("fr_analyst", second)
    later = _refer(world, "fr_analyst", op="OP2")
    assert later.referral is None
    (link,) = later.sent_elsewhere[second]
    assert (link.status, link.item_state) == ("closed", "verified_removed")
    with world.db.session() as s:
        totals = all_operations_stats(s)
    assert (totals["items"], totals["taken_offline"], totals["sent"]) == (1, 1, 1)


def test_an_unserved_platform_is_refused_unless_the_caller_allows_it(world: World) -> None:
    (item,) = world.report("de_analyst", ["https://x.com/lorem_ipsum/status/1234567890"])
    world.assess("de_analyst", item)
    with pytest.raises(UserError) as refused:
        _refer(world, platform="x")
    message = str(refused.value)
    assert "no platform unit answers for 'x'" in message
    assert "telegram, youtube" in message and "--allow-unserved" in message
    assert world.state(item) == "ready"
    outcome = _refer(world, platform="x", allow_unserved=True)
    assert outcome.referral is not None and outcome.items == [item]
    assert "waits for email or a manual export" in outcome.as_dict()["note"]


def test_a_hold_notifies_its_holder_once_per_item(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/once_a/1"])
    with world.db.session() as s:
        deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/once_a/1",
            reason="op lorem",
            until=utcnow() + timedelta(days=3),
        )
    for _ in range(3):  # three refer attempts, by two units
        assert _refer(world).held == [item]
        _refer(world, "de_analyst2")
    with world.db.session() as s:
        sent = s.scalar(
            select(func.count()).where(
                Notification.unit_id == world.unit_ids["FR-IRU"],
                Notification.kind == "hold_blocked",
            )
        )
    assert sent == 1


def test_holds_are_shown_on_a_need_to_know_basis(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/ntk_a/1"])  # reported by DE
    with world.db.session() as s:
        deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/ntk_a/1",
            reason="op SECRET",
            until=utcnow() + timedelta(days=3),
        )
    with world.db.session() as s:
        stored = s.get(Item, item)
        assert stored is not None
        assert deconfliction.list_holds(s, world.who["de_analyst"]) == []
        assert len(deconfliction.list_holds(s, world.who["fr_analyst"])) == 1
        assert len(deconfliction.list_holds(s, world.who["auditor"])) == 1
        assert deconfliction.holds_shown_on_item(s, stored, world.who["nl_senior"]) == []
        (shown,) = deconfliction.holds_shown_on_item(s, stored, world.who["de_analyst"])
        view = deconfliction.hold_view(s, shown, world.who["de_analyst"])
    assert view["status"] == "held" and view["contact"] == "iru@fr.example"
    assert "SECRET" not in repr(view) and "target" not in view


def test_a_holder_without_a_contact_is_named_with_a_note(world: World) -> None:
    with world.db.session() as s:
        unit = units.create_unit(s, "XX-IRU", "referral_unit", actor="test")
        assert deconfliction.holder_contact(unit) == "XX-IRU (no contact was given)"


def test_a_unit_replies_to_a_platforms_question_on_a_referral(
    world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ask_a/1"])
    outcome = _refer(world)
    assert outcome.referral is not None
    _answer(
        world,
        outcome.referral.id,
        {"item_id": item, "action": "needs_clarification", "reason": "which post exactly?"},
    )
    with world.db.session() as s:
        (question,) = responses.questions_for(s, world.who["de_analyst"])
        assert question.question == "which post exactly?"
        assert responses.questions_for(s, world.who["fr_analyst"]) == []  # not FR's referral
    with pytest.raises(Forbidden), world.db.session() as s:
        responses.reply_to_question(s, world.who["fr_analyst"], question.question_id, "x")
    with pytest.raises(UserError, match="empty"), world.db.session() as s:
        responses.reply_to_question(s, world.who["de_analyst"], question.question_id, " ")
    with world.db.session() as s:
        responses.reply_to_question(
            s, world.who["de_analyst"], question.question_id, "the pinned post, 1 of 1"
        )
        assert responses.questions_for(s, world.who["de_analyst"]) == []
    with world.db.session() as s:
        (listed,), _ = responses.list_referrals(s, world.who["tg_agent"])
    (entry,) = listed["items"]
    assert [c["reply"] for c in entry["clarifications"]] == ["the pinned post, 1 of 1"]


def test_a_reply_to_an_orders_question_ends_the_pause_and_restarts_the_hour(
    world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ask_b/1"])
    with world.db.session() as s:
        order_id = referrals.issue_removal_order(s, world.who["de_senior"], item, **ANNEX_I).id
    with world.db.session() as s:
        responses.list_orders(s, world.who["tg_agent"])  # received: the hour runs
        responses.answer_order(
            s,
            world.who["tg_agent"],
            order_id,
            {"action": "needs_clarification", "reason": "the URL shows two videos"},
        )
        clock = referrals.order_clock(s, referrals.get_order(s, order_id))
    assert clock["paused"] is True and clock["due_at"] is None
    with world.db.session() as s:
        (question,) = responses.questions_for(s, world.who["de_senior"])
        responses.reply_to_question(
            s, world.who["de_senior2"], question.question_id, "the second one"
        )
        clock = referrals.order_clock(s, referrals.get_order(s, order_id))
    assert clock["paused"] is True  # not received yet: the clock waits for the platform
    with world.db.session() as s:
        (listed,), _ = responses.list_orders(s, world.who["tg_agent"])
        clock = referrals.order_clock(s, referrals.get_order(s, order_id))
    assert [c["reply"] for c in listed["clarifications"]] == ["the second one"]
    (pause,) = clock["pauses"]
    assert clock["paused"] is False and pause["ended_at"] is not None
    assert clock["due_at"] == pause["ended_at"] + timedelta(hours=1)
