"""Removal orders: who issues them, Annex I, the 1-hour clock with its pauses, alerts, copies."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from takedown.domain.deadlines import Pause, PauseReason, removal_clock, scrutiny_windows
from takedown.errors import Conflict, Forbidden, NotFound, UserError
from takedown.services import deconfliction, referrals, responses
from takedown.store.audit import AuditEvent
from takedown.store.deconfliction import Notification
from takedown.store.models import utcnow
from takedown.store.referrals import RemovalOrder

from .conftest import World

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

Ready = Callable[..., list[int]]
ANNEX_I = {"grounds": "a,d", "reasons": "instructions for an attack", "redress": "VG Berlin, 1 mo"}
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _issue(world: World, item_id: int, caller: str = "de_senior", **fields: Any) -> int:
    with world.db.session() as s:
        order = referrals.issue_removal_order(
            s, world.who[caller], item_id, **{**ANNEX_I, **fields}
        )
        return order.id


def _order(world: World, order_id: int) -> RemovalOrder:
    with world.db.session() as s:
        order = s.get(RemovalOrder, order_id)
        assert order is not None
        return order


def _clock(world: World, order_id: int, now: datetime | None = None) -> dict[str, Any]:
    with world.db.session() as s:
        return referrals.order_clock(s, referrals.get_order(s, order_id), now)


@pytest.mark.parametrize("caller", ["de_analyst", "fr_senior", "fr_admin", "auditor", "tg_agent"])
def test_only_a_competent_authoritys_senior_assessor_issues(
    world: World, ready_items: Ready, caller: str
) -> None:
    (item,) = ready_items(["https://t.me/ord_a/1"])
    with pytest.raises(Forbidden), world.db.session() as s:
        referrals.issue_removal_order(s, world.who[caller], item, **ANNEX_I)
    assert world.state(item) == "ready"


def test_an_order_carries_the_annex_i_fields(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/ord_b/1"])
    order_id = _issue(world, item, case_reference="DE-BKA-0001", non_disclosure=True)
    assert world.state(item) == "ordered"
    with world.db.session() as s:
        payload = referrals.order_payload(referrals.get_order(s, order_id))
    assert re.fullmatch(r"DE-[0-9]{8}-[0-9a-f]{8}", payload["reference"])  # takedown's own
    assert payload | {"issued_at": None, "reference": None} == {
        "type": "removal_order",
        "order_id": order_id,
        "reference": None,
        "case_reference": "DE-BKA-0001",
        "issuing_authority": "DE-IRU",
        "member_state": "DE",
        "addressee": "telegram",
        "url": "https://t.me/ord_b/1",
        "item_id": item,
        "grounds": ["a", "d"],
        "reasons": "instructions for an attack",
        "redress": "VG Berlin, 1 mo",
        "non_disclosure": True,
        "issued_at": None,
    }
    with pytest.raises(Conflict, match="already has a removal order"):
        _issue(world, item)


ORDER_BODY = {"legal_ground": "a", "reasons": "r", "redress": "court"}


def test_the_issuing_authority_is_the_issuing_unit(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    """A request cannot put another authority's name on an order: the field is refused."""
    first, second = ready_items(["https://t.me/ord_auth/1", "https://t.me/ord_auth/2"])
    body = {"item_id": first, "issuing_authority": "NL-IRU", **ORDER_BODY}
    named = client.post("/api/v1/orders", json=body, headers=world.bearer("de_senior"))
    assert named.status_code == 422, named.text
    assert [p["field"] for p in named.json()["problems"]] == ["issuing_authority"]
    assert world.state(first) == "ready"
    ok = client.post(
        "/api/v1/orders", json={"item_id": second, **ORDER_BODY}, headers=world.bearer("nl_senior")
    )
    assert ok.status_code == 201, ok.text
    assert (ok.json()["issuing_authority"], ok.json()["member_state"]) == ("NL-IRU", "NL")


def test_a_case_reference_is_unique_per_authority(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    items = ready_items([f"https://t.me/ord_case/{n}" for n in range(4)])

    def issue(caller: str, item: int, **fields: str) -> Any:
        body = {"item_id": item, **ORDER_BODY, **fields}
        return client.post("/api/v1/orders", json=body, headers=world.bearer(caller))

    first = issue("de_senior", items[0], case_reference="BKA-2026-17")
    assert first.status_code == 201, first.text
    assert first.json()["case_reference"] == "BKA-2026-17"
    assert first.json()["reference"] != "BKA-2026-17"  # takedown's own, beside it
    # `reference`, the field's earlier name, is the same field
    again = issue("de_senior2", items[1], reference="BKA-2026-17")
    assert again.status_code == 409, again.text
    assert again.json()["error"] == (
        f"case reference 'BKA-2026-17' is already on a removal order of DE-IRU "
        f"(order {first.json()['reference']}); each order of an authority needs its own"
    )
    assert world.state(items[1]) == "ready"
    other = issue("nl_senior", items[1], reference="BKA-2026-17")  # another authority's own
    assert other.status_code == 201, other.text
    assert other.json()["case_reference"] == "BKA-2026-17"
    both = issue("de_senior", items[2], case_reference="A", reference="B")
    assert both.status_code == 422
    for item, blank in ((items[2], ""), (items[3], "  ")):  # none: any number of orders
        assert issue("de_senior", item, case_reference=blank).status_code == 201
    with world.db.session() as s:
        stored = sorted(
            (o.unit_id, o.case_reference or "") for o in s.scalars(select(RemovalOrder))
        )
    de, nl = world.unit_ids["DE-IRU"], world.unit_ids["NL-IRU"]
    assert stored == sorted([(de, "BKA-2026-17"), (nl, "BKA-2026-17"), (de, ""), (de, "")])


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"grounds": []}, "needs its Art. 2\\(7\\) grounds"),
        ({"grounds": "x"}, "not one of Art. 2\\(7\\)"),
        ({"reasons": "  "}, "needs reasons"),
        ({"redress": ""}, "needs redress"),
    ],
)
def test_annex_i_fields_are_required(
    world: World, ready_items: Ready, fields: dict[str, str], problem: str
) -> None:
    (item,) = ready_items(["https://t.me/ord_c/1"])
    with pytest.raises(UserError, match=problem):
        _issue(world, item, **fields)
    assert world.state(item) == "ready"


def test_an_order_needs_a_named_platform_with_a_unit(world: World, ready_items: Ready) -> None:
    web, vk = ready_items(["https://example.org/manifesto", "https://vk.com/some_group"])
    with pytest.raises(UserError, match="not 'web'"):
        _issue(world, web)
    with pytest.raises(UserError, match="no platform unit answers"):
        _issue(world, vk)


def test_a_held_item_is_not_ordered(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/ord_d/1"])
    with world.db.session() as s:
        deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/ord_d/1",
            reason="r",
            until=utcnow() + timedelta(days=1),
        )
    with pytest.raises(UserError, match="held"):
        _issue(world, item)


def test_an_unassessed_item_is_not_ordered(world: World) -> None:
    (item,) = world.report("de_analyst", ["https://t.me/ord_e/1"])
    with pytest.raises(UserError, match="positively assessed"):
        _issue(world, item)


def test_the_clock_starts_when_the_platform_lists_the_order(
    world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ord_f/1"])
    order_id = _issue(world, item)
    assert _clock(world, order_id)["due_at"] is None
    with world.db.session() as s:  # another platform does not see it, and does not start it
        assert responses.list_orders(s, world.who["yt_agent"]) == ([], None)
    assert _order(world, order_id).received_at is None
    with world.db.session() as s:
        listed, _ = responses.list_orders(s, world.who["tg_agent"])
    assert [o["order_id"] for o in listed] == [order_id]
    received = _order(world, order_id).received_at
    assert received is not None
    clock = _clock(world, order_id)
    assert clock["received_at"] == received
    assert clock["due_at"] == received + timedelta(hours=1)
    with world.db.session() as s:  # listing again does not restart the clock
        responses.list_orders(s, world.who["tg_agent"])
    assert _order(world, order_id).received_at == received


@pytest.mark.parametrize("reason", list(PauseReason))
def test_the_full_hour_starts_again_when_a_pause_ends(reason: PauseReason) -> None:
    """Art. 3(7)/(8): the deadline applies anew once the reason is gone or clarified."""
    pause = Pause(T0 + timedelta(minutes=10), T0 + timedelta(minutes=35))
    during = removal_clock(T0, [Pause(pause.started_at, None)], T0 + timedelta(minutes=20))
    assert (during.paused, during.due_at, during.overdue) == (True, None, False)
    assert during.paused_for == timedelta(minutes=10)
    after = removal_clock(T0, [pause], T0 + timedelta(minutes=50))
    assert after.due_at == T0 + timedelta(minutes=95)  # 35 min + a full hour
    assert after.paused_for == timedelta(minutes=25)
    assert after.remaining == timedelta(minutes=45)
    assert not removal_clock(T0, [pause], T0 + timedelta(minutes=95)).overdue
    assert removal_clock(T0, [pause], T0 + timedelta(minutes=96)).overdue
    assert reason.value in ("force_majeure", "manifest_error", "insufficient_information")


def test_pauses_count_only_after_receipt_and_the_last_one_restarts_the_hour() -> None:
    pauses = [
        Pause(T0 - timedelta(minutes=30), T0 + timedelta(minutes=5)),  # 5 min after receipt
        Pause(T0 + timedelta(minutes=20), T0 + timedelta(minutes=30)),  # 10 min
    ]
    clock = removal_clock(T0, pauses, T0 + timedelta(minutes=40))
    assert clock.due_at == T0 + timedelta(minutes=90)
    assert clock.paused_for == timedelta(minutes=15)
    answered = removal_clock(
        T0, pauses, T0 + timedelta(hours=5), done_at=T0 + timedelta(minutes=85)
    )
    assert not answered.overdue
    during = removal_clock(T0, pauses, T0 + timedelta(hours=5), done_at=T0 + timedelta(minutes=25))
    assert during.paused  # answered while paused: never overdue
    assert removal_clock(None, [], T0).due_at is None


def test_scrutiny_windows() -> None:
    windows = scrutiny_windows(T0, T0 + timedelta(minutes=1))
    assert windows.request_until == T0 + timedelta(hours=48)
    assert windows.authority_until == T0 + timedelta(hours=72, minutes=1)


@pytest.mark.parametrize("reason", [r.value for r in PauseReason])
def test_pause_and_resume_through_the_services(
    world: World, ready_items: Ready, reason: str
) -> None:
    (item,) = ready_items(["https://t.me/ord_g/1"])
    order_id = _issue(world, item)
    with world.db.session() as s:
        referrals.pause_order(s, world.who["tg_agent"], order_id, reason, "see note")
    received = _order(world, order_id).received_at  # a pause is a receipt too
    assert received is not None
    paused = _clock(world, order_id)
    assert (paused["paused"], paused["due_at"]) == (True, None)
    assert [p["reason"] for p in paused["pauses"]] == [reason]
    with pytest.raises(UserError, match="already paused"), world.db.session() as s:
        referrals.pause_order(s, world.who["tg_agent"], order_id, reason, None)
    for caller in ("de_analyst", "fr_senior", "auditor"):
        with pytest.raises(Forbidden), world.db.session() as s:
            referrals.resume_order(s, world.who[caller], order_id)
    with pytest.raises(NotFound), world.db.session() as s:  # not addressed to it: not there
        referrals.resume_order(s, world.who["yt_agent"], order_id)
    with world.db.session() as s:
        referrals.resume_order(s, world.who["de_senior2"], order_id, "clarified")
    clock = _clock(world, order_id)
    (p,) = clock["pauses"]
    assert p["ended_at"] is not None
    assert received is not None and clock["due_at"] == p["ended_at"] + timedelta(hours=1)
    assert clock["paused"] is False
    with pytest.raises(UserError, match="not paused"), world.db.session() as s:
        referrals.resume_order(s, world.who["tg_agent"], order_id)
    with world.db.session() as s:
        notes = s.scalars(select(Notification.kind).where(Notification.kind == "order_paused"))
        assert list(notes) == ["order_paused"]


def test_pause_reasons_are_checked_and_other_platforms_see_nothing(
    world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ord_h/1"])
    order_id = _issue(world, item)
    with pytest.raises(UserError, match="unknown pause reason"), world.db.session() as s:
        referrals.pause_order(s, world.who["tg_agent"], order_id, "lunch", None)
    with pytest.raises(NotFound), world.db.session() as s:
        referrals.pause_order(s, world.who["yt_agent"], order_id, "force_majeure", None)


def test_an_overdue_order_raises_one_alert(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/ord_i/1"])
    order_id = _issue(world, item)
    with world.db.session() as s:  # not received: no clock, never overdue
        assert referrals.check_overdue_orders(s, now=utcnow() + timedelta(days=1)) == []
    with world.db.session() as s:
        responses.list_orders(s, world.who["tg_agent"])
    received = _order(world, order_id).received_at
    assert received is not None
    with world.db.session() as s:
        assert referrals.check_overdue_orders(s, now=received + timedelta(minutes=59)) == []
    with world.db.session() as s:
        late = referrals.check_overdue_orders(s, now=received + timedelta(minutes=61))
        assert [o.id for o in late] == [order_id]
    with world.db.session() as s:
        assert referrals.check_overdue_orders(s, now=received + timedelta(minutes=90)) == []
        alerts = s.scalars(select(Notification).where(Notification.kind == "order_overdue")).all()
        assert [(n.unit_id, n.payload["order_id"]) for n in alerts] == [
            (world.unit_ids["DE-IRU"], order_id)
        ]
        events = s.scalar(select(func.count()).where(AuditEvent.action == "order.overdue"))
        assert events == 1


def test_a_copy_goes_to_the_host_member_states_authority(world: World, ready_items: Ready) -> None:
    abroad, home = ready_items(["https://t.me/ord_j/1", "https://t.me/ord_j/2"])
    order_id = _issue(world, abroad, host_member_state="nl")
    order = _order(world, order_id)
    assert order.host_member_state == "NL"
    assert order.copy_sent_at is not None
    with world.db.session() as s:
        copies = s.scalars(select(Notification).where(Notification.kind == "order_copy")).all()
        assert [(n.unit_id, n.payload["order_id"]) for n in copies] == [
            (world.unit_ids["NL-IRU"], order_id)
        ]
    clock = _clock(world, order_id)
    assert clock["scrutiny"]["authority_until"] == order.copy_sent_at + timedelta(hours=72)
    assert clock["scrutiny"]["request_until"] is None  # not received yet
    with world.db.session() as s:
        responses.list_orders(s, world.who["tg_agent"])
    received = _order(world, order_id).received_at
    assert received is not None
    assert _clock(world, order_id)["scrutiny"]["request_until"] == received + timedelta(hours=48)

    same = _issue(world, home, host_member_state="DE")  # the issuer's own state: no copy
    assert _order(world, same).copy_sent_at is None
    assert _clock(world, same)["scrutiny"]["authority_until"] is None


def test_a_final_answer_ends_an_open_pause(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/ord_k/1"])
    order_id = _issue(world, item)
    with world.db.session() as s:
        referrals.pause_order(s, world.who["tg_agent"], order_id, "manifest_error", "typo?")
    with world.db.session() as s:
        out = responses.answer_order(s, world.who["tg_agent"], order_id, {"action": "removed"})
    assert out.status == "closed"
    assert out.clock["paused"] is False
    assert out.clock["due_at"] is not None
