"""Assessment: verdicts, Art. 2(7) grounds, taxonomy labels, four-eyes and the triage queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from takedown.domain.assessment import load_taxonomy
from takedown.errors import Forbidden, UserError
from takedown.services import assessment, referrals
from takedown.store.assessment import Assessment

from .conftest import World

URL = "https://t.me/alpha_news/101"
INVENTED = load_taxonomy(Path(__file__).resolve().parents[1] / "data" / "taxonomy_invented.json")


@pytest.mark.parametrize(
    ("verdict", "state"),
    [
        ("terrorist_content", "ready"),
        ("not_terrorist_content", "assessed_negative"),
        ("exempt", "exempt"),
    ],
)
def test_verdict_moves_the_item(world: World, verdict: str, state: str) -> None:
    (item,) = world.report("de_analyst", [URL])
    world.assess("de_analyst", item, verdict)
    assert world.state(item) == state


def test_grounds_are_normalised_and_stored(world: World) -> None:
    (item,) = world.report("de_analyst", [URL])
    aid = world.assess("de_analyst", item, grounds=["2(7)(c)", "A", "a"], reasons="calls to join")
    with world.db.session() as s:
        stored = s.get(Assessment, aid)
        assert stored is not None
        assert stored.legal_grounds == ["a", "c"]
        assert stored.reasons == "calls to join"
        assert stored.status == "final"


@pytest.mark.parametrize("grounds", [None, [], "f", "a,z", ["2(8)"]])
def test_terrorist_content_needs_valid_grounds(world: World, grounds: object) -> None:
    (item,) = world.report("de_analyst", [URL])
    with pytest.raises(UserError, match="ground"), world.db.session() as s:
        assessment.assess_item(
            s, world.who["de_analyst"], item, verdict="terrorist_content", legal_grounds=grounds
        )  # type: ignore[arg-type]
    assert world.state(item) == "new"


def test_unknown_verdict_is_refused(world: World) -> None:
    (item,) = world.report("de_analyst", [URL])
    with pytest.raises(UserError, match="unknown verdict 'maybe'"), world.db.session() as s:
        assessment.assess_item(s, world.who["de_analyst"], item, verdict="maybe")


def test_taxonomy_labels(world: World) -> None:
    (item,) = world.report("de_analyst", [URL])
    aid = world.assess(
        "de_analyst",
        item,
        labels={"group": "group-alpha", "tier": "tier-1", "tags": ["b", "a"]},
        taxonomy=INVENTED,
    )
    with world.db.session() as s:
        stored = s.get(Assessment, aid)
        assert stored is not None
        assert stored.labels == {"group": "group-alpha", "tier": "tier-1", "tags": ["a", "b"]}
    (other,) = world.report("de_analyst", ["https://t.me/alpha_news/102"])
    for labels, problem in (
        ({"group": "group-omega"}, "not in the taxonomy"),
        ({"tier": "tier-9"}, "not in the taxonomy"),
        ({"colour": "red"}, "unknown label"),
    ):
        with pytest.raises(UserError, match=problem), world.db.session() as s:
            assessment.assess_item(
                s,
                world.who["de_analyst"],
                other,
                verdict="exempt",
                labels=labels,
                taxonomy=INVENTED,
            )


def test_configured_taxonomy_replaces_the_default(world: World) -> None:
    (item,) = world.report("de_analyst", [URL])
    taxonomy = {"groups": ["cell-x"], "tiers": ["high"]}
    with world.db.session() as s:
        assessment.assess_item(
            s,
            world.who["de_analyst"],
            item,
            verdict="exempt",
            labels={"group": "cell-x", "tier": "high"},
            taxonomy=taxonomy,
        )
    with pytest.raises(UserError, match="group-alpha"), world.db.session() as s:
        assessment.assess_item(
            s,
            world.who["de_analyst"],
            item,
            verdict="exempt",
            labels={"group": "group-alpha"},
            taxonomy=taxonomy,
        )


def test_a_new_assessment_supersedes_the_old(world: World) -> None:
    (item,) = world.report("de_analyst", [URL])
    first = world.assess("de_analyst", item, "not_terrorist_content")
    second = world.assess("de_senior", item, "exempt")
    with world.db.session() as s:
        statuses = dict(s.execute(select(Assessment.id, Assessment.status)).all())
    assert statuses == {first: "superseded", second: "final"}
    assert world.state(item) == "exempt"


def _four_eyes_item(world: World) -> tuple[int, int]:
    (item,) = world.report("de_analyst", [URL], op="OP4")
    aid = world.assess("de_senior", item)
    return item, aid


def test_four_eyes_positive_waits_for_a_second_senior_assessor(world: World) -> None:
    item, aid = _four_eyes_item(world)
    with world.db.session() as s:
        stored = s.get(Assessment, aid)
        assert stored is not None and stored.status == "pending_confirmation"
    assert world.state(item) == "assessed_positive"
    with world.db.session() as s:  # not ready: nothing to refer
        assert (
            referrals.refer_items(s, world.who["de_analyst"], world.operation(s, "OP4"), "telegram")
            is None
        )

    with pytest.raises(Forbidden, match="different person"), world.db.session() as s:
        assessment.confirm_assessment(s, world.who["de_senior"], aid)
    with pytest.raises(Forbidden), world.db.session() as s:  # an analyst may not confirm
        assessment.confirm_assessment(s, world.who["de_analyst"], aid)
    assert world.state(item) == "assessed_positive"

    with world.db.session() as s:
        confirmed = assessment.confirm_assessment(s, world.who["de_senior2"], aid)
        assert confirmed.status == "final"
        assert confirmed.confirmed_by == world.who["de_senior2"].identity
    assert world.state(item) == "ready"
    with pytest.raises(UserError, match="not awaiting confirmation"), world.db.session() as s:
        assessment.confirm_assessment(s, world.who["fr_senior"], aid)


def test_four_eyes_leaves_negative_verdicts_final(world: World) -> None:
    (item,) = world.report("de_analyst", [URL], op="OP4")
    aid = world.assess("de_analyst", item, "not_terrorist_content")
    with world.db.session() as s:
        stored = s.get(Assessment, aid)
        assert stored is not None and stored.status == "final"


def test_four_eyes_over_the_api(world: World, client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    (item,) = world.report("de_analyst", [URL], op="OP4")
    r = client.post(
        f"/api/v1/items/{item}/assessments",
        json={"verdict": "terrorist_content", "legal_ground": "a,c", "reasons": "r"},
        headers=world.bearer("de_senior"),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "pending_confirmation"
    assert body["item_state"] == "assessed_positive"
    aid = body["assessment_id"]
    same = client.post(f"/api/v1/assessments/{aid}/confirm", headers=world.bearer("de_senior"))
    assert same.status_code == 403
    other = client.post(f"/api/v1/assessments/{aid}/confirm", headers=world.bearer("de_senior2"))
    assert other.status_code == 200, other.text
    assert other.json() == {"assessment_id": aid, "status": "final", "item_state": "ready"}
    (fresh,) = world.report("de_analyst", ["https://t.me/alpha_news/103"], op="OP4")
    bad = client.post(
        f"/api/v1/items/{fresh}/assessments",
        json={"verdict": "terrorist_content", "legal_ground": "q"},
        headers=world.bearer("de_senior"),
    )
    assert bad.status_code == 400
    assert "'q'" in bad.json()["error"]


def test_triage_queue_priority(world: World) -> None:
    one, two, watched = world.report(
        "de_analyst",
        [
            "https://t.me/quiet_chan/1",  # one unit
            "https://t.me/busy_chan/2",  # three units
            "https://t.me/known_src/3",  # one unit, watched source
        ],
    )
    world.report("fr_analyst", ["https://t.me/busy_chan/2"])
    world.report("nl_senior", ["https://t.me/busy_chan/2"])
    done = world.report("de_analyst", ["https://t.me/quiet_chan/9"])[0]
    world.assess("de_analyst", done, "exempt")  # assessed: leaves the queue
    with world.db.session() as s:
        op = world.operation(s)
        before = [e.item.id for e in assessment.triage_queue(s, world.who["fr_analyst"], op)]
        assessment.add_watch(s, world.who["de_senior"], op, "https://t.me/known_src", "seen")
    with world.db.session() as s:
        entries = assessment.triage_queue(s, world.who["fr_analyst"], world.operation(s))
        after = [e.item.id for e in entries]
        factors = {e.item.id: (e.units, e.watched) for e in entries}
    assert before == [two, watched, one]  # equal bands, reported together: newest item first
    assert after == [watched, two, one]  # 8 for the watch beats 2 × 3 for units
    assert factors == {two: (3, False), watched: (1, True), one: (1, False)}
    assert done not in after


def test_watchlist_refuses_signals_and_analysts(world: World) -> None:
    with pytest.raises(UserError, match="not signals"), world.db.session() as s:
        assessment.add_watch(s, world.who["de_senior"], world.operation(s), "md5:" + "0" * 32)
    with pytest.raises(Forbidden), world.db.session() as s:
        assessment.add_watch(s, world.who["de_analyst"], world.operation(s), "https://t.me/x_y_z")
