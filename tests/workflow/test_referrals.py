"""Referrals: batched per platform, an item sent at most once, later reports attach."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from takedown.errors import Forbidden
from takedown.services import referrals, responses
from takedown.store.models import Report
from takedown.store.referrals import Referral, ReferralItem

from .conftest import World

Ready = Callable[..., list[int]]


def _refer(world: World, platform: str, caller: str = "de_analyst") -> int | None:
    with world.db.session() as s:
        referral = referrals.refer_items(s, world.who[caller], world.operation(s), platform)
        return referral.id if referral else None


def _items_of(world: World, referral_id: int) -> list[int]:
    with world.db.session() as s:
        return list(
            s.scalars(
                select(ReferralItem.item_id)
                .where(ReferralItem.referral_id == referral_id)
                .order_by(ReferralItem.item_id)
            )
        )


def test_referrals_are_batched_per_platform(world: World, ready_items: Ready) -> None:
    tg = ready_items(["https://t.me/batch_a/1", "https://t.me/batch_a/2", "https://t.me/batch_b"])
    yt = ready_items(["https://www.youtube.com/watch?v=AAAAAAAAAAA"])
    (negative,) = world.report("de_analyst", ["https://t.me/batch_a/3"])
    world.assess("de_analyst", negative, "not_terrorist_content")
    tg_ref = _refer(world, "telegram")
    yt_ref = _refer(world, "youtube", caller="fr_analyst")  # any unit refers what is ready
    assert tg_ref is not None and yt_ref is not None
    assert _items_of(world, tg_ref) == tg
    assert _items_of(world, yt_ref) == yt
    assert world.state(negative) == "assessed_negative"
    with world.db.session() as s:
        tg_row, yt_row = s.get(Referral, tg_ref), s.get(Referral, yt_ref)
        assert tg_row is not None and yt_row is not None
        assert (tg_row.platform, tg_row.status, tg_row.unit_id) == (
            "telegram",
            "open",
            world.unit_ids["DE-IRU"],
        )
        assert (yt_row.platform, yt_row.unit_id) == ("youtube", world.unit_ids["FR-IRU"])


def test_an_item_is_never_sent_twice(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/twice_a/1"])
    first = _refer(world, "telegram")
    assert first is not None
    assert _refer(world, "telegram") is None
    assert _refer(world, "telegram", caller="fr_analyst") is None
    assert world.state(item) == "referred"
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ReferralItem)) == 1


def test_a_second_units_report_attaches_to_the_referral(world: World, ready_items: Ready) -> None:
    (item,) = ready_items(["https://t.me/twice_b/7"])
    referral = _refer(world, "telegram")
    assert referral is not None
    (again,) = world.report("fr_analyst", ["https://t.me/s/twice_b/7"], notes="FR notes")
    assert again == item
    assert world.state(item) == "referred"
    assert _refer(world, "telegram", caller="fr_analyst") is None
    with world.db.session() as s:
        units = s.scalars(select(Report.unit_id).where(Report.item_id == item)).all()
        assert sorted(units) == sorted([world.unit_ids["DE-IRU"], world.unit_ids["FR-IRU"]])
        assert s.scalar(select(func.count()).select_from(Referral)) == 1
        (view,) = responses.list_referrals(s, world.who["tg_agent"])[0]
        assert [i["item_id"] for i in view["items"]] == [item]


def test_nothing_ready_means_no_referral(world: World) -> None:
    world.report("de_analyst", ["https://t.me/none_ready/1"])
    assert _refer(world, "telegram") is None
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize("caller", ["tg_agent", "auditor"])
def test_platforms_and_auditors_do_not_refer(world: World, caller: str) -> None:
    with pytest.raises(Forbidden), world.db.session() as s:
        referrals.refer_items(s, world.who[caller], world.operation(s), "telegram")
