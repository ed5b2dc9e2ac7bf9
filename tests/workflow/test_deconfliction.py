"""Deconfliction: holds on a URL key, an account key or a signal; release, expiry, visibility."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from takedown.errors import Forbidden, UserError
from takedown.services import deconfliction, referrals
from takedown.store import audit
from takedown.store.deconfliction import Notification
from takedown.store.models import Item, Signal, utcnow

from .conftest import World

Ready = Callable[..., list[int]]
LATER = timedelta(days=7)
SHA = "ab" * 32


def _hold(world: World, caller: str, target: str, until: timedelta = LATER) -> int:
    with world.db.session() as s:
        hold = deconfliction.place_hold(
            s, world.who[caller], target, reason=f"op SECRET-{caller}", until=utcnow() + until
        )
        return hold.id


def _refer(world: World, caller: str = "de_analyst", platform: str = "telegram") -> int | None:
    with world.db.session() as s:
        referral = referrals.refer_items(s, world.who[caller], world.operation(s), platform)
        return referral.id if referral else None


def _signal(world: World, item_id: int, kind: str, value: str) -> None:
    """A hash of the item's evidence, as the media pipeline stores it."""
    with world.db.session() as s:
        s.add(Signal(item_id=item_id, signal_type=kind, value=value))
        s.flush()
        audit.record(
            s,
            actor="test",
            action="signal.add",
            object_type="item",
            object_id=item_id,
            change={"signal": f"{kind}:{value}"},
        )


def _notes(world: World, unit: str, kind: str = "hold_blocked") -> list[dict[str, object]]:
    with world.db.session() as s:
        rows = s.scalars(
            select(Notification).where(
                Notification.unit_id == world.unit_ids[unit], Notification.kind == kind
            )
        )
        return [n.payload for n in rows]


def test_hold_by_url_key_stops_the_referral_and_tells_the_holder(
    world: World, ready_items: Ready
) -> None:
    held, free = ready_items(["https://t.me/cell_one/5", "https://t.me/cell_one/6"])
    hold_id = _hold(world, "fr_analyst", "https://t.me/cell_one/5?single")
    assert world.state(held) == "held"
    assert _refer(world) is not None
    assert world.state(held) == "held"
    assert world.state(free) == "referred"
    notes = _notes(world, "FR-IRU")
    assert [(n["hold_id"], n["item_id"]) for n in notes] == [(hold_id, held)]
    assert _notes(world, "DE-IRU") == []


def test_hold_by_account_key_covers_the_channel_posts(world: World, ready_items: Ready) -> None:
    a, b, other = ready_items(
        ["https://t.me/cell_two/1", "https://t.me/cell_two/2", "https://t.me/cell_three/1"]
    )
    _hold(world, "fr_analyst", "telegram:account:cell_two")
    assert [world.state(i) for i in (a, b, other)] == ["held", "held", "ready"]
    # a post reported after the hold is stopped when it becomes ready
    (late,) = ready_items(["https://t.me/cell_two/3"], caller="nl_senior")
    assert world.state(late) == "held"
    assert _refer(world) is not None
    assert world.state(other) == "referred"
    assert {n["item_id"] for n in _notes(world, "FR-IRU")} == {a, b, late}


def test_account_hold_does_not_hold_a_lookalike_channel(world: World, ready_items: Ready) -> None:
    (lookalike,) = ready_items(["https://t.me/cellXtwo/1"])
    _hold(world, "fr_analyst", "telegram:account:cell_two")
    assert world.state(lookalike) == "ready"


def test_hold_by_signal(world: World, ready_items: Ready) -> None:
    (item,) = world.report("de_analyst", ["https://www.youtube.com/watch?v=abcdefghijk"])
    _signal(world, item, "sha256", SHA)
    hold_id = _hold(world, "fr_analyst", f"sha256:{SHA.upper()}")
    world.assess("de_analyst", item)
    assert world.state(item) == "held"  # stopped at the moment it became ready
    assert _refer(world, platform="youtube") is None
    assert {n["hold_id"] for n in _notes(world, "FR-IRU")} == {hold_id}


@pytest.mark.parametrize(
    ("target", "problem"),
    [("", "empty"), ("sha256:abc", "64 hex digits"), ("not a url at all", "hold target")],
)
def test_bad_hold_targets(world: World, target: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem), world.db.session() as s:
        deconfliction.place_hold(
            s, world.who["fr_analyst"], target, reason="r", until=utcnow() + LATER
        )


def test_hold_needs_a_reason_and_a_future_expiry(world: World) -> None:
    for reason, until, problem in (
        (" ", utcnow() + LATER, "needs a reason"),
        ("r", utcnow() - timedelta(minutes=1), "in the past"),
    ):
        with pytest.raises(UserError, match=problem), world.db.session() as s:
            deconfliction.place_hold(
                s, world.who["fr_analyst"], "https://t.me/x_chan/1", reason=reason, until=until
            )


def test_only_the_holder_or_its_unit_admin_releases(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/cell_four/1"])
    first = _hold(world, "fr_analyst", "https://t.me/cell_four/1")
    second = _hold(world, "fr_analyst", "telegram:account:cell_four")
    for caller in ("de_analyst", "de_admin", "fr_senior"):  # other unit; same unit, not holder
        with pytest.raises(Forbidden), world.db.session() as s:
            deconfliction.release_hold(s, world.who[caller], first)
    with pytest.raises(Forbidden), world.db.session() as s:
        deconfliction.release_hold(s, world.who["auditor"], first)
    with world.db.session() as s:
        deconfliction.release_hold(s, world.who["fr_analyst"], first)
    assert world.state(item) == "held"  # the account hold still covers it
    with world.db.session() as s:
        deconfliction.release_hold(s, world.who["fr_admin"], second)
    assert world.state(item) == "ready"
    assert _refer(world) is not None


def test_release_returns_an_unassessed_item_to_triage(world: World) -> None:
    (item,) = world.report("de_analyst", ["https://t.me/cell_five/1"])
    _signal(world, item, "md5", "c" * 32)
    hold_id = _hold(world, "fr_analyst", "md5:" + "c" * 32)
    world.assess("de_analyst", item)
    assert world.state(item) == "held"
    with world.db.session() as s:
        deconfliction.release_hold(s, world.who["fr_analyst"], hold_id)
    assert world.state(item) == "ready"  # it was positively assessed before the hold


def test_holds_expire(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/cell_six/1"])
    _hold(world, "fr_analyst", "https://t.me/cell_six/1", until=timedelta(hours=2))
    with world.db.session() as s:
        assert deconfliction.expire_holds(s) == 0
    assert world.state(item) == "held"
    with world.db.session() as s:
        assert deconfliction.expire_holds(s, now=utcnow() + timedelta(hours=3)) == 1
    assert world.state(item) == "ready"
    with world.db.session() as s:
        assert deconfliction.expire_holds(s, now=utcnow() + timedelta(hours=3)) == 0
        assert deconfliction.list_holds(s, world.who["fr_analyst"]) == []


def test_other_units_see_held_and_a_contact_never_the_reason(
    world: World, ready_items: Ready
) -> None:
    (item,) = ready_items(["https://t.me/cell_seven/1"])
    hold_id = _hold(world, "fr_analyst", "https://t.me/cell_seven/1")
    with world.db.session() as s:
        assert deconfliction.list_holds(s, world.who["de_analyst"]) == []  # not DE's hold
        stored = s.get(Item, item)
        assert stored is not None
        (hold,) = deconfliction.holds_shown_on_item(s, stored, world.who["de_analyst"])
        theirs = deconfliction.hold_view(s, hold, world.who["de_analyst"])
        mine = deconfliction.hold_view(s, hold, world.who["fr_senior"])
        audited = deconfliction.hold_view(s, hold, world.who["auditor"])
    assert theirs == {
        "hold_id": hold_id,
        "status": "held",
        "holder": "FR-IRU",
        "contact": "iru@fr.example",
    }
    assert "SECRET" not in repr(theirs)
    assert mine["reason"] == audited["reason"] == "op SECRET-fr_analyst"
    assert world.state(item) == "held"
