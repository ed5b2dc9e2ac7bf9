"""The closing loop over the API: unserved platforms, need-to-know holds, unknown names,
questions and replies, and the register's link on the item page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from takedown.services import deconfliction, operations
from takedown.store.models import utcnow

from .conftest import World

Ready = Callable[..., list[int]]
API = "/api/v1"


def test_an_unserved_platform_is_a_clear_refusal(client: TestClient, world: World) -> None:
    (item,) = world.report("de_analyst", ["https://x.com/lorem_ipsum/status/1234567890"])
    world.assess("de_analyst", item)
    refused = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "x"},
        headers=world.bearer("de_analyst"),
    )
    assert refused.status_code == 400
    assert "platforms served: telegram, youtube" in refused.json()["error"]
    allowed = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "x", "allow_unserved": True},
        headers=world.bearer("de_analyst"),
    )
    assert allowed.status_code == 201
    body = allowed.json()
    assert body["items"] == 1 and "manual export" in body["note"]


def test_an_unknown_platform_or_action_names_the_closest(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    wrong = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "telgram"},
        headers=world.bearer("de_analyst"),
    )
    assert wrong.status_code == 422
    assert "did you mean telegram" in str(wrong.json()["problems"])
    (item,) = ready_items(["https://t.me/names_a/1"])
    cased = client.post(  # the API takes names as the schema spells them: no case folding
        f"{API}/operations/OP1/referrals",
        json={"platform": "Telegram"},
        headers=world.bearer("de_analyst"),
    )
    assert cased.status_code == 422
    assert cased.json()["problems"] == [
        {
            "field": "platform",
            "error": "platform 'Telegram' must be spelled exactly: did you mean telegram?",
        }
    ]
    sent = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "telegram"},
        headers=world.bearer("de_analyst"),
    )
    assert sent.status_code == 201 and sent.json()["items"] == 1
    rid = sent.json()["referral_id"]
    for action, hint in (("remvoed", "did you mean removed"), ("Removed", "did you mean removed")):
        answer = client.post(
            f"{API}/platform/referrals/{rid}/answers",
            json={"answers": [{"item_id": item, "action": action}]},
            headers=world.bearer("tg_agent"),
        )
        assert answer.status_code == 422
        (problem,) = answer.json()["problems"]
        assert problem["field"] == "answers.0.action" and hint in problem["error"], problem


def test_holds_over_the_api_are_need_to_know(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ntk_api/1"])  # reported by DE
    with world.db.session() as s:
        deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/ntk_api/1",
            reason="op SECRET",
            until=utcnow() + timedelta(days=2),
        )

    def holds(caller: str) -> list[dict[str, object]]:
        r = client.get(f"{API}/holds", headers=world.bearer(caller))
        assert r.status_code == 200
        return list(r.json()["holds"])

    assert holds("de_analyst") == [] and holds("nl_senior") == []
    assert len(holds("fr_analyst")) == 1 and len(holds("auditor")) == 1
    page = client.get(f"{API}/items/{item}", headers=world.bearer("de_analyst")).json()
    (shown,) = page["holds"]
    assert shown["status"] == "held" and shown["contact"] == "iru@fr.example"
    assert "SECRET" not in str(page)
    other = client.get(f"{API}/items/{item}", headers=world.bearer("nl_senior")).json()
    assert other["holds"] == []


def test_the_item_page_links_the_earlier_send(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    with world.db.session() as s:
        operations.create_operation(s, "OP2", actor="test")
    ready_items(["https://t.me/link_a/3"])
    first = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "telegram"},
        headers=world.bearer("de_analyst"),
    ).json()
    (second,) = world.report("fr_analyst", ["https://t.me/link_a/3"], op="OP2")
    world.assess("fr_analyst", second)
    later = client.post(
        f"{API}/operations/OP2/referrals",
        json={"platform": "telegram"},
        headers=world.bearer("fr_analyst"),
    ).json()
    assert later["referral_id"] is None
    assert later["already_sent_elsewhere"][str(second)][0]["referral_id"] == first["referral_id"]
    page = client.get(f"{API}/items/{second}", headers=world.bearer("fr_analyst")).json()
    assert page["state"] == "ready"
    (link,) = page["sent_elsewhere"]
    assert (link["operation"], link["status"], link["blocks"]) == ("OP1", "open", True)


def test_questions_and_replies_over_the_api(
    client: TestClient, world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/ask_api/1"])
    rid = client.post(
        f"{API}/operations/OP1/referrals",
        json={"platform": "telegram"},
        headers=world.bearer("de_analyst"),
    ).json()["referral_id"]
    client.post(
        f"{API}/platform/referrals/{rid}/answers",
        json={"answers": [{"item_id": item, "action": "needs_clarification", "reason": "which?"}]},
        headers=world.bearer("tg_agent"),
    ).raise_for_status()
    (question,) = client.get(f"{API}/questions", headers=world.bearer("de_analyst")).json()[
        "questions"
    ]
    qid = question["question_id"]
    refused = client.post(
        f"{API}/questions/{qid}/reply", json={"text": "x"}, headers=world.bearer("fr_analyst")
    )
    assert refused.status_code == 403
    reply = client.post(
        f"{API}/questions/{qid}/reply",
        json={"text": "the first"},
        headers=world.bearer("de_analyst"),
    )
    assert reply.status_code == 201
    listed = client.get(f"{API}/platform/referrals", headers=world.bearer("tg_agent")).json()
    (entry,) = listed["referrals"][0]["items"]
    assert [c["reply"] for c in entry["clarifications"]] == ["the first"]
