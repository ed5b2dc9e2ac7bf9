"""What the API sends, as its response models declare it: every kind of notification, a hold
as its unit and as another unit see it, a removal order with its clock."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import timedelta

from takedown.services import deconfliction, referrals, responses
from takedown.store.models import utcnow

from .conftest import World

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

Ready = Callable[..., list[int]]
API = "/api/v1"
ANNEX_I = {"grounds": "a", "reasons": "instructions for an attack", "redress": "VG Berlin, 1 mo"}


def test_every_kind_of_notification_is_sent_as_declared(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    asked, held, ordered = ready_items(
        ["https://t.me/notes_a/1", "https://t.me/notes_a/2", "https://t.me/notes_a/3"]
    )
    with world.db.session() as s:
        hold = deconfliction.place_hold(
            s, world.who["fr_analyst"], "https://t.me/notes_a/2", reason="r", until=utcnow() + timedelta(days=1)
        )  # fmt: skip
        order = referrals.issue_removal_order(
            s, world.who["de_senior"], ordered, host_member_state="NL", **ANNEX_I
        )
    with world.db.session() as s:
        sent = referrals.refer_ready(s, world.who["de_analyst"], world.operation(s), "telegram")
        assert sent.referral is not None and sent.held == [held]
    with world.db.session() as s:
        question = {"item_id": asked, "action": "needs_clarification", "reason": "which one?"}
        responses.answer_referral(s, world.who["tg_agent"], sent.referral.id, [question])
        responses.list_orders(s, world.who["tg_agent"])  # received: the hour runs
        referrals.pause_order(s, world.who["tg_agent"], order.id, "force_majeure", "outage")
    with world.db.session() as s:
        referrals.resume_order(s, world.who["tg_agent"], order.id)
    with world.db.session() as s:
        assert referrals.check_overdue_orders(s, utcnow() + timedelta(hours=2))

    def notes(caller: str) -> dict[str, dict[str, object]]:
        r = client.get(f"{API}/notifications", headers=world.bearer(caller))
        assert r.status_code == 200, r.text
        listed = r.json()["notifications"]
        assert all(set(n) == {"id", "kind", "payload", "created_at"} for n in listed)
        return {n["kind"]: n["payload"] for n in listed}

    assert notes("fr_analyst") == {
        "hold_blocked": {"hold_id": hold.id, "item_id": held, "key": "telegram:post:notes_a/2",
                         "by": world.who["de_analyst"].actor},
    }  # fmt: skip
    reference = order.reference
    assert notes("nl_senior") == {
        "order_copy": {"order_id": order.id, "reference": reference, "url": order.url}
    }
    assert notes("de_analyst") == {
        "clarification_requested": {"item_id": asked, "referral_id": sent.referral.id,
                                    "order_id": None, "question": "which one?"},
        "order_paused": {"order_id": order.id, "reason": "force_majeure", "note": "outage"},
        "order_overdue": {"order_id": order.id, "reference": reference},
    }  # fmt: skip


def test_a_hold_shows_its_details_to_its_unit_only(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/holds_shape/1"])  # reported by DE
    until = (utcnow() + timedelta(days=1)).isoformat()
    placed = client.post(
        f"{API}/holds",
        json={"target": "https://t.me/holds_shape/1", "reason": "ours", "until": until},
        headers=world.bearer("fr_analyst"),
    )
    assert placed.status_code == 201, placed.text
    mine = placed.json()
    assert set(mine) == {"hold_id", "status", "holder", "contact", "target", "target_type",
                         "reason", "until", "placed_by", "released_at"}  # fmt: skip
    assert (mine["status"], mine["target_type"], mine["released_at"]) == ("held", "key", None)
    assert mine["until"].endswith("+00:00")
    seen = client.get(f"{API}/items/{item}", headers=world.bearer("de_analyst"))
    assert seen.status_code == 200, seen.text
    (other,) = seen.json()["holds"]
    assert other == {"hold_id": mine["hold_id"], "status": "held", "holder": "FR-IRU",
                     "contact": "iru@fr.example"}  # fmt: skip


def test_an_order_is_sent_with_its_annex_i_fields_and_clock(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/order_shape/1"])
    issued = client.post(
        f"{API}/orders",
        json={"item_id": item, "legal_ground": ["a", "c"], "reasons": "r", "redress": "court"},
        headers=world.bearer("de_senior"),
    )
    assert issued.status_code == 201, issued.text
    order = issued.json()
    assert order["type"] == "removal_order" and order["grounds"] == ["a", "c"]
    assert order["status"] == "open" and order["addressee"] == "telegram"
    assert order["clock"] == {
        "received_at": None, "due_at": None, "paused": False, "paused_seconds": 0,
        "remaining_seconds": None, "overdue": False,
        "scrutiny": {"request_until": None, "authority_until": None}, "pauses": [],
    }  # fmt: skip
    pulled = client.get(f"{API}/platform/orders", headers=world.bearer("tg_agent"))
    assert pulled.status_code == 200, pulled.text
    (listed,) = pulled.json()["orders"]
    assert listed["order_id"] == order["order_id"] and listed["issued_at"] == order["issued_at"]
    assert listed["answer"] is None and listed["clarifications"] == []
    assert listed["clock"]["received_at"] is not None
