"""The authorisation matrix over the REST API: who sees what, who may write, which tokens work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, update

from takedown.services import deconfliction, referrals, units
from takedown.store.audit import AuditEvent
from takedown.store.models import ApiToken, utcnow

from .conftest import World

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

API = "/api/v1"


@dataclass
class Scene:
    item: int  # telegram, reported by DE and FR, held by FR
    tg_items: list[int]
    yt_items: list[int]
    tg_referral: int
    yt_referral: int
    order: int
    hold: int
    assessment: int


@pytest.fixture
def scene(world: World) -> Scene:
    (item,) = world.report(
        "de_analyst", ["https://t.me/shared_chan/1"], notes="DE-NOTE", external_id="DE-REF-1"
    )
    world.report("fr_analyst", ["https://t.me/shared_chan/1"], notes="FR-NOTE", external_id="FR-9")
    assessment = world.assess("de_analyst", item)
    tg_items = world.report("de_analyst", ["https://t.me/tg_only/1", "https://t.me/tg_only/2"])
    yt_items = world.report("de_analyst", ["https://www.youtube.com/watch?v=BBBBBBBBBBB"])
    for i in tg_items + yt_items:
        world.assess("de_analyst", i)
    with world.db.session() as s:
        hold = deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/shared_chan/1",
            reason="HOLD-REASON-FR",
            until=utcnow() + timedelta(days=3),
        )
        order = referrals.issue_removal_order(
            s, world.who["de_senior"], tg_items[1], grounds="a", reasons="r", redress="court"
        )
        op = world.operation(s)
        tg = referrals.refer_items(s, world.who["de_analyst"], op, "telegram")
        yt = referrals.refer_items(s, world.who["de_analyst"], op, "youtube")
        assert tg is not None and yt is not None
        return Scene(item, tg_items, yt_items, tg.id, yt.id, order.id, hold.id, assessment)


def _events(world: World) -> int:
    with world.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_platform_sees_only_what_is_addressed_to_it(
    client: TestClient, world: World, scene: Scene
) -> None:
    def listing(caller: str, what: str) -> list[dict[str, Any]]:
        r = client.get(f"{API}/platform/{what}?status=all", headers=world.bearer(caller))
        assert r.status_code == 200, r.text
        return list(r.json()[what])

    assert [r["id"] for r in listing("tg_agent", "referrals")] == [scene.tg_referral]
    assert [r["id"] for r in listing("yt_agent", "referrals")] == [scene.yt_referral]
    assert [o["order_id"] for o in listing("tg_agent", "orders")] == [scene.order]
    assert listing("yt_agent", "orders") == []
    tg_ref = listing("tg_agent", "referrals")[0]
    assert [i["item_id"] for i in tg_ref["items"]] == [scene.tg_items[0]]  # held, ordered: not

    yt = world.bearer("yt_agent")
    for path, body in (
        (f"/platform/referrals/{scene.tg_referral}/ack", None),
        (
            f"/platform/referrals/{scene.tg_referral}/answers",
            {"answers": [{"item_id": scene.tg_items[0], "action": "removed"}]},
        ),
        (f"/platform/orders/{scene.order}/ack", None),
        (f"/platform/orders/{scene.order}/answer", {"action": "removed"}),
        (f"/platform/orders/{scene.order}/pause", {"reason": "force_majeure"}),
    ):
        r = client.post(API + path, json=body, headers=yt)
        assert r.status_code == 404, (path, r.status_code, r.text)
    assert world.state(scene.tg_items[0]) == "referred"
    # a platform agent reads nothing on the units' side
    for path in (
        f"/items/{scene.item}",
        "/operations/OP1/items",
        f"/orders/{scene.order}",
        f"/referrals/{scene.tg_referral}",
        "/holds",
    ):
        assert client.get(API + path, headers=world.bearer("tg_agent")).status_code == 403


def test_resume_of_another_platforms_order_is_404(
    client: TestClient, world: World, scene: Scene
) -> None:
    r = client.post(f"{API}/platform/orders/{scene.order}/resume", headers=world.bearer("yt_agent"))
    assert r.status_code == 404


def test_a_unit_cannot_read_another_units_notes(
    client: TestClient, world: World, scene: Scene
) -> None:
    def reports(caller: str) -> dict[str, tuple[str | None, str | None]]:
        r = client.get(f"{API}/items/{scene.item}", headers=world.bearer(caller))
        assert r.status_code == 200, r.text
        return {x["unit"]: (x["notes"], x["external_id"]) for x in r.json()["reports"]}

    assert reports("fr_analyst") == {"DE-IRU": (None, None), "FR-IRU": ("FR-NOTE", "FR-9")}
    assert reports("de_senior") == {"DE-IRU": ("DE-NOTE", "DE-REF-1"), "FR-IRU": (None, None)}
    assert reports("nl_senior") == {"DE-IRU": (None, None), "FR-IRU": (None, None)}
    assert reports("auditor") == {
        "DE-IRU": ("DE-NOTE", "DE-REF-1"),
        "FR-IRU": ("FR-NOTE", "FR-9"),
    }
    for path in (
        "/operations/OP1/items",
        "/operations/OP1/queue",
        f"/referrals/{scene.tg_referral}",
    ):
        text = client.get(API + path, headers=world.bearer("nl_senior")).text
        assert "NOTE" not in text and "DE-REF" not in text, path


def test_a_unit_cannot_read_another_units_hold_reason(
    client: TestClient, world: World, scene: Scene
) -> None:
    for caller in ("de_analyst", "de_admin", "nl_senior"):
        listed = client.get(f"{API}/holds", headers=world.bearer(caller)).json()["holds"]
        item = client.get(f"{API}/items/{scene.item}", headers=world.bearer(caller)).json()
        for view in (*listed, *item["holds"]):
            assert view["status"] == "held"
            assert (view["holder"], view["contact"]) == ("FR-IRU", "iru@fr.example")
            assert "reason" not in view and "placed_by" not in view
        assert "HOLD-REASON" not in repr(listed) + repr(item)
    for caller in ("fr_analyst", "fr_senior", "auditor"):
        (view,) = client.get(f"{API}/holds", headers=world.bearer(caller)).json()["holds"]
        assert view["reason"] == "HOLD-REASON-FR"


def test_an_auditor_reads_everything(client: TestClient, world: World, scene: Scene) -> None:
    auditor = world.bearer("auditor")
    for path in (
        "/operations/OP1/items",
        "/operations/OP1/queue",
        f"/items/{scene.item}",
        "/holds",
        f"/referrals/{scene.tg_referral}",
        f"/referrals/{scene.yt_referral}",
        f"/orders/{scene.order}",
        "/notifications",
    ):
        r = client.get(API + path, headers=auditor)
        assert r.status_code == 200, (path, r.text)
    items = client.get(f"{API}/operations/OP1/items", headers=auditor).json()["items"]
    assert len(items) == 4
    order = client.get(f"{API}/orders/{scene.order}", headers=auditor).json()
    assert order["reasons"] == "r"


# Valid bodies, so that only authorisation can refuse them.
def _bodies(world: World, scene: Scene) -> dict[str, Any]:
    until = (utcnow() + timedelta(days=1)).isoformat()
    return {
        "/operations/{op}/reports": {"reports": [{"url": "https://t.me/auditor_was_here/1"}]},
        "/items/{item_id}/assessments": {"verdict": "exempt"},
        "/assessments/{assessment_id}/confirm": None,
        "/holds": {"target": "https://t.me/tg_only/1", "reason": "r", "until": until},
        "/holds/{hold_id}": None,
        "/operations/{op}/referrals": {"platform": "telegram"},
        "/orders": {
            "item_id": scene.tg_items[0],
            "legal_ground": "a",
            "reasons": "r",
            "redress": "court",
        },
        "/orders/{order_id}/resume": None,
        "/platform/referrals/{referral_id}/ack": None,
        "/platform/referrals/{referral_id}/answers": {
            "answers": [{"item_id": scene.tg_items[0], "action": "removed"}]
        },
        "/platform/orders/{order_id}/ack": None,
        "/platform/orders/{order_id}/answer": {"action": "removed"},
        "/platform/orders/{order_id}/pause": {"reason": "force_majeure"},
        "/platform/orders/{order_id}/resume": None,
        "/questions/{question_id}/reply": {"text": "r"},
    }


def test_an_auditor_writes_nothing(client: TestClient, world: World, scene: Scene) -> None:
    ids = {
        "op": "OP1",
        "item_id": scene.item,
        "assessment_id": scene.assessment,
        "hold_id": scene.hold,
        "referral_id": scene.tg_referral,
        "order_id": scene.order,
    }
    bodies = _bodies(world, scene)
    doc = client.get(f"{API}/openapi.json").json()
    writes = [
        (method, path.removeprefix(API))
        for path, ops in doc["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) >= len(bodies)
    before = _events(world)
    refused = {}
    for method, template in writes:
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", str(value))
        if "{" in path:  # another module's route: any id will do, it must refuse first
            path = path.split("{")[0] + "1" + path.split("}", 1)[1]
        r = client.request(
            method.upper(), API + path, json=bodies.get(template), headers=world.bearer("auditor")
        )
        refused[(method, template)] = r.status_code
    assert {k: v for k, v in refused.items() if v != 403} == {}
    assert _events(world) == before
    assert world.state(scene.tg_items[0]) == "referred"


def test_a_platform_units_auditor_cannot_resume_an_order(
    client: TestClient, world: World, scene: Scene
) -> None:
    with world.db.session() as s:
        tg = units.get_unit(s, "TG")
        secret = units.create_token(s, tg, "auditor", actor="test")[1]
    agent = world.bearer("tg_agent")
    assert (
        client.post(
            f"{API}/platform/orders/{scene.order}/pause",
            json={"reason": "manifest_error"},
            headers=agent,
        ).status_code
        == 200
    )
    r = client.post(
        f"{API}/platform/orders/{scene.order}/resume",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert r.status_code == 403


def test_who_may_issue_a_removal_order(client: TestClient, world: World, scene: Scene) -> None:
    body = {
        "item_id": scene.tg_items[0],
        "legal_ground": ["a"],
        "reasons": "r",
        "redress": "court",
        "host_member_state": "NL",
    }
    for caller in ("de_analyst", "de_admin", "fr_senior", "fr_analyst", "tg_agent", "auditor"):
        r = client.post(f"{API}/orders", json=body, headers=world.bearer(caller))
        assert r.status_code == 403, (caller, r.text)
    ok = client.post(f"{API}/orders", json=body, headers=world.bearer("nl_senior"))
    assert ok.status_code == 201, ok.text
    out = ok.json()
    assert (out["member_state"], out["issuing_authority"], out["addressee"]) == (
        "NL",
        "NL-IRU",
        "telegram",
    )
    assert out["clock"]["due_at"] is None  # not received yet
    missing = client.post(
        f"{API}/orders",
        json={k: v for k, v in body.items() if k != "redress"},
        headers=world.bearer("de_senior"),
    )
    assert missing.status_code == 422
    assert [p["field"] for p in missing.json()["problems"]] == ["redress"]


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_token_is_401(
    client: TestClient, world: World, scene: Scene, how: str
) -> None:
    for caller in ("de_analyst", "tg_agent", "auditor"):
        token_id = world.who[caller].token_id
        assert token_id is not None
        with world.db.session() as s:
            if how == "revoked":
                units.revoke_token(s, token_id, actor="test")
            else:
                s.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token_id)
                    .values(expires_at=utcnow() - timedelta(seconds=1))
                )
                s.flush()
                from takedown.store import audit

                audit.record(
                    s,
                    actor="test",
                    action="token.expire",
                    object_type="api_token",
                    object_id=token_id,
                    change={},
                )
    for caller, path in (
        ("de_analyst", "/operations/OP1/items"),
        ("de_analyst", "/holds"),
        ("tg_agent", "/platform/referrals"),
        ("tg_agent", "/platform/orders"),
        ("auditor", f"/items/{scene.item}"),
    ):
        r = client.get(API + path, headers=world.bearer(caller))
        assert r.status_code == 401, (caller, path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
    r = client.post(
        f"{API}/platform/referrals/{scene.tg_referral}/answers",
        json={"answers": [{"item_id": scene.tg_items[0], "action": "removed"}]},
        headers=world.bearer("tg_agent"),
    )
    assert r.status_code == 401
    assert world.state(scene.tg_items[0]) == "referred"
    # a token that is still valid keeps working
    ok = client.get(f"{API}/holds", headers=world.bearer("fr_analyst"))
    assert ok.status_code == 200


def test_token_expiry_is_checked_against_the_clock(world: World) -> None:
    with world.db.session() as s:
        unit = units.get_unit(s, "DE-IRU")
        _token, secret = units.create_token(
            s, unit, "analyst", actor="test", expires_in=timedelta(hours=1)
        )
    with world.db.session() as s:
        assert units.authenticate_token(s, secret) is not None
        assert units.authenticate_token(s, secret, now=utcnow() + timedelta(hours=2)) is None
        assert units.authenticate_token(s, secret + "x") is None


def test_a_caller_who_may_not_use_a_route_learns_no_operation_names(
    client: TestClient, world: World, scene: Scene
) -> None:
    """Authorisation comes before the lookup: an unknown operation is refused exactly as a
    known one is, and the refusal names no operation."""
    bodies = _bodies(world, scene)
    doc = client.get(f"{API}/openapi.json").json()
    routes = [
        (method, path.removeprefix(API))
        for path, ops in doc["paths"].items()
        for method in ops
        if "{op}" in path
    ]
    assert len(routes) >= 4
    for caller in ("tg_agent", "auditor", "yt_agent"):
        for method, template in routes:
            answers = {}
            for op in ("OP1", "NO-SUCH-OP"):
                r = client.request(
                    method.upper(),
                    API + template.replace("{op}", op),
                    json=bodies.get(template),
                    headers=world.bearer(caller),
                )
                answers[op] = (r.status_code, r.text)
            if answers["OP1"][0] // 100 == 2:
                continue  # the caller may: then an unknown name is a 404 (below)
            known, unknown = answers["OP1"], answers["NO-SUCH-OP"]
            assert known == unknown, (caller, method, template, known, unknown)
            assert unknown[0] == 403, (caller, method, template, unknown)
            assert "OP1" not in unknown[1] and "OP4" not in unknown[1]
    # a caller who may read items is told which operations there are
    r = client.get(f"{API}/operations/NO-SUCH-OP/queue", headers=world.bearer("de_analyst"))
    assert r.status_code == 404
    assert r.json()["error"] == "unknown operation 'NO-SUCH-OP'; known: OP1, OP4"


def test_who_may_resume_an_order_is_asked_before_which_order(
    client: TestClient, world: World, scene: Scene
) -> None:
    for order in (scene.order, 999_999):
        r = client.post(f"{API}/orders/{order}/resume", headers=world.bearer("de_analyst"))
        assert r.status_code == 403, r.text
