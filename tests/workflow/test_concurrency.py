"""Sixteen clients at once: answers, assessments and sends are serialised per item.

Each scenario releases 16 requests to the API at the same moment (threads behind a barrier) and
then reads what the database holds. It runs on SQLite, whose writers queue behind
``BEGIN IMMEDIATE``, and on PostgreSQL (``TAKEDOWN_TEST_DATABASE_URL``), where each
state-changing service first takes its items' advisory locks (``services.items.lock_items``).
Whatever order the requests land in, the outcome is one they could have had one by one, and a
refusal is a 4xx that says why, never a 500.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from takedown.config import Settings
from takedown.services import referrals
from takedown.services.items import EACH_MAX
from takedown.store.assessment import Assessment
from takedown.store.audit import AuditEvent
from takedown.store.db import Database
from takedown.store.deconfliction import Hold
from takedown.store.models import Operation
from takedown.store.referrals import ReferralItem, RemovalOrder, Response
from takedown.web.app import create_app

from .conftest import World

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

API = "/api/v1"
CLIENTS = 16
Ready = Callable[..., list[int]]
ORDER = {"legal_ground": "a", "reasons": "instructions for an attack", "redress": "VG Berlin"}


@pytest.fixture
def api(settings: Settings, db: Database) -> Iterator[TestClient]:
    """A client that hands back a server error as a 500 instead of raising it in its thread."""
    with TestClient(create_app(settings, db), raise_server_exceptions=False) as c:
        yield c


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in parallel threads, released together; results in the calls' order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _post(api: TestClient, world: World, caller: str, path: str, body: Any = None) -> Any:
    return lambda: api.post(API + path, json=body, headers=world.bearer(caller))


def _statuses(responses: list[Any]) -> list[int]:
    return sorted(r.status_code for r in responses)


def _count(world: World, query: Any) -> int:
    with world.db.session() as s:
        return int(s.scalar(query) or 0)


def _events(world: World, action: str, object_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    with world.db.session() as s:
        return list(s.scalars(query))


# -- platform answers ------------------------------------------------------------------------


def test_an_identical_answer_from_16_clients_is_stored_once(
    api: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/race_answer/1"])
    with world.db.session() as s:
        referral = referrals.refer_items(s, world.who["de_analyst"], world.operation(s), "telegram")
        assert referral is not None
        path = f"/platform/referrals/{referral.id}/answers"
    question = {"answers": [{"item_id": item, "action": "needs_clarification", "reason": "why?"}]}
    removed = {"answers": [{"item_id": item, "action": "removed"}]}
    for wave, body in enumerate((question, removed), start=1):
        answers = _at_once([_post(api, world, "tg_agent", path, body)] * CLIENTS)
        assert _statuses(answers) == [200] * CLIENTS, [r.text for r in answers]
        assert sum(r.json()["stored"] for r in answers) == 1
        assert sum(r.json()["unchanged"] for r in answers) == CLIENTS - 1
        # the same answer is one row; a changed answer is the next row of the history
        assert _count(world, select(func.count()).select_from(Response)) == wave
        assert len(_events(world, "response.record", item)) == wave
    assert world.state(item) == "removed_claimed"
    assert len(_events(world, "referral.close", referral.id)) == 1


def test_an_identical_order_answer_from_16_clients_is_stored_once(
    api: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/race_answer/2"])
    with world.db.session() as s:
        order_id = referrals.issue_removal_order(
            s, world.who["de_senior"], item, grounds="a", reasons="r", redress="court"
        ).id
    path = f"/platform/orders/{order_id}/answer"
    answers = _at_once([_post(api, world, "tg_agent", path, {"action": "removed"})] * CLIENTS)
    assert _statuses(answers) == [200] * CLIENTS, [r.text for r in answers]
    assert sum(r.json()["stored"] for r in answers) == 1
    assert _count(world, select(func.count()).select_from(Response)) == 1
    assert len(_events(world, "order.close", order_id)) == 1
    assert len(_events(world, "order.received", order_id)) == 1


# -- assessments -----------------------------------------------------------------------------

ASSESSORS = ["de_analyst", "de_analyst2", "de_senior", "de_senior2", "de_admin"]


def test_16_negative_assessments_of_one_item_leave_one_in_force(
    api: TestClient, world: World
) -> None:
    """Each assessment supersedes the one before it (``assess_item``): one stays in force."""
    (item,) = world.report("de_analyst", ["https://t.me/race_assess/1"])
    body = {"verdict": "not_terrorist_content"}
    calls = [
        _post(api, world, ASSESSORS[n % len(ASSESSORS)], f"/items/{item}/assessments", body)
        for n in range(CLIENTS)
    ]
    made = _at_once(calls)
    assert _statuses(made) == [201] * CLIENTS, [r.text for r in made]
    with world.db.session() as s:
        statuses = sorted(s.scalars(select(Assessment.status).where(Assessment.item_id == item)))
    assert statuses == ["final"] + ["superseded"] * (CLIENTS - 1)
    assert world.state(item) == "assessed_negative"


def test_16_positive_assessments_of_one_item_make_it_ready_once(
    api: TestClient, world: World
) -> None:
    """The first makes the item ready; a ready item is no longer assessed (400)."""
    (item,) = world.report("de_analyst", ["https://t.me/race_assess/2"])
    body = {"verdict": "terrorist_content", "legal_ground": "a"}
    calls = [
        _post(api, world, ASSESSORS[n % len(ASSESSORS)], f"/items/{item}/assessments", body)
        for n in range(CLIENTS)
    ]
    made = _at_once(calls)
    assert _statuses(made) == [201] + [400] * (CLIENTS - 1), [r.text for r in made]
    refused = [r.json()["error"] for r in made if r.status_code == 400]
    assert all("it can no longer be assessed" in e for e in refused), refused
    with world.db.session() as s:
        statuses = list(s.scalars(select(Assessment.status).where(Assessment.item_id == item)))
    assert statuses == ["final"]
    assert world.state(item) == "ready"
    assert len(_events(world, "item.state", item)) == 2  # new → assessed_positive → ready


def test_16_confirmations_of_one_assessment_confirm_it_once(api: TestClient, world: World) -> None:
    (item,) = world.report("de_analyst", ["https://t.me/race_assess/3"], op="OP4")
    pending = world.assess("de_analyst", item)
    calls = [
        _post(api, world, ("de_senior", "de_senior2")[n % 2], f"/assessments/{pending}/confirm")
        for n in range(CLIENTS)
    ]
    done = _at_once(calls)
    assert _statuses(done) == [200] + [400] * (CLIENTS - 1), [r.text for r in done]
    assert len(_events(world, "assessment.confirm", pending)) == 1
    assert world.state(item) == "ready"


# -- sends: referrals and removal orders -----------------------------------------------------


@pytest.mark.parametrize("count", [4, EACH_MAX + 8])  # a lock per item; one on all of them
def test_16_referrals_of_one_platform_make_one_referral(
    api: TestClient, world: World, ready_items: Ready, count: int
) -> None:
    items = ready_items([f"https://t.me/race_refer/{n}" for n in range(count)])
    sent = _at_once(
        [_post(api, world, "de_analyst", "/operations/OP1/referrals", {"platform": "telegram"})]
        * CLIENTS
    )
    assert _statuses(sent) == [201] * CLIENTS, [r.text for r in sent]
    made = [r.json() for r in sent if r.json()["referral_id"] is not None]
    assert len(made) == 1 and made[0]["items"] == len(items)
    assert _count(world, select(func.count()).select_from(ReferralItem)) == len(items)
    assert {world.state(i) for i in items} == {"referred"}
    assert len(_events(world, "referral.create")) == 1


def test_a_referral_and_an_order_racing_for_one_ready_item(
    api: TestClient, world: World, ready_items: Ready
) -> None:
    """8 referrals and 8 orders of one ready item: exactly one send takes it out of ``ready``.

    An order may follow a referral (escalation), as it may one at a time; a referral never
    follows an order. Whichever came first, the item ends ``ordered`` with one order, and
    every later order is a 409.
    """
    (item,) = ready_items(["https://t.me/race_send/1"])
    refer = _post(api, world, "de_analyst", "/operations/OP1/referrals", {"platform": "telegram"})
    order = _post(api, world, "de_senior", "/orders", {"item_id": item, **ORDER})
    answers = _at_once([refer, order] * (CLIENTS // 2))
    assert all(r.status_code in (201, 409) for r in answers), [r.text for r in answers]
    orders = [r for r in answers[1::2] if r.status_code == 201]
    assert len(orders) == 1, [r.text for r in answers[1::2]]
    assert all(
        "already has a removal order" in r.json()["error"]
        for r in answers[1::2]
        if r.status_code == 409
    )
    referred = [r.json()["referral_id"] for r in answers[::2] if r.json()["referral_id"]]
    assert len(referred) <= 1
    assert _count(world, select(func.count()).select_from(RemovalOrder)) == 1
    assert _count(world, select(func.count()).select_from(ReferralItem)) == len(referred)
    assert world.state(item) == "ordered"
    if referred:  # the referral came first, and the order escalated it
        (created,) = _events(world, "referral.create")
        (issued,) = _events(world, "order.issue")
        assert created.id < issued.id


@pytest.mark.parametrize("same", ["item", "case_reference"])
def test_16_orders_that_would_break_a_unique_rule_are_one_201_and_fifteen_409(
    api: TestClient, world: World, ready_items: Ready, same: str
) -> None:
    """Sixteen orders of one item, or of sixteen items under one case reference of one
    authority: one is issued, the others are 409."""
    items = ready_items([f"https://t.me/race_unique/{n}" for n in range(CLIENTS)])

    def body(n: int) -> dict[str, Any]:
        if same == "item":
            return {"item_id": items[0], **ORDER}
        return {"item_id": items[n], same: "DE-CASE-7", **ORDER}

    issued = _at_once([_post(api, world, "de_senior", "/orders", body(n)) for n in range(CLIENTS)])
    assert _statuses(issued) == [201] + [409] * (CLIENTS - 1), [r.text for r in issued]
    assert _count(world, select(func.count()).select_from(RemovalOrder)) == 1


def test_a_unique_violation_answers_409_not_500(settings: Settings, db: Database) -> None:
    """Whatever write breaks a unique constraint, the API answers 409 and writes nothing."""
    with db.session() as s:
        from takedown.services.operations import create_operation

        create_operation(s, "OP-TAKEN", actor="test")
    app = create_app(settings, db)

    @app.post("/twice")
    def twice() -> dict[str, Any]:  # a write that skips the services' own checks
        with db.session() as s:
            s.add(Operation(name="OP-TAKEN", status="open", four_eyes=False))
            s.flush()
        return {}

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/twice")
    assert r.status_code == 409, r.text
    assert "already exists" in r.json()["error"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Operation)) == 1


# -- holds -----------------------------------------------------------------------------------

HOLDERS = ["de_analyst", "fr_analyst", "de_senior", "fr_senior"]


def test_16_holds_on_one_ready_item_hold_it_once(
    api: TestClient, world: World, ready_items: Ready
) -> None:
    """Every hold is kept (each unit's investigation is its own), and the item moves to
    ``held`` exactly once, whatever order they land in."""
    (item,) = ready_items(["https://t.me/race_hold/1"])
    before = len(_events(world, "item.state", item))
    body = {"target": "https://t.me/race_hold/1", "reason": "inquiry", "until": "2099-01-01T00:00Z"}
    placed = _at_once(
        [_post(api, world, HOLDERS[n % len(HOLDERS)], "/holds", body) for n in range(CLIENTS)]
    )
    assert _statuses(placed) == [201] * CLIENTS, [r.text for r in placed]
    assert _count(world, select(func.count()).select_from(Hold)) == CLIENTS
    assert world.state(item) == "held"
    assert len(_events(world, "item.state", item)) == before + 1  # ready → held, once


def test_16_holds_released_at_once_free_the_item_once(
    api: TestClient, world: World, ready_items: Ready
) -> None:
    """Each unit lifts its holds at the same moment: the item goes back to ``ready`` once,
    after the last hold is gone, never while one is still in force."""
    (item,) = ready_items(["https://t.me/race_hold/2"])
    before = len(_events(world, "item.state", item))
    body = {"target": "https://t.me/race_hold/2", "reason": "inquiry", "until": "2099-01-01T00:00Z"}
    holds = []
    for n in range(CLIENTS):
        made = api.post(API + "/holds", json=body, headers=world.bearer(HOLDERS[n % len(HOLDERS)]))
        assert made.status_code == 201, made.text
        holds.append((HOLDERS[n % len(HOLDERS)], made.json()["hold_id"]))
    lifted = _at_once(
        [
            (lambda c=caller, h=hold: api.delete(f"{API}/holds/{h}", headers=world.bearer(c)))
            for caller, hold in holds
        ]
    )
    assert _statuses(lifted) == [200] * CLIENTS, [r.text for r in lifted]
    assert world.state(item) == "ready"
    assert len(_events(world, "item.state", item)) == before + 2  # ready → held → ready
