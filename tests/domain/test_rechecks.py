"""The recheck schedule and the time-to-removal interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.domain.rechecks import (
    DAY,
    HOUR,
    Observation,
    RecheckSchedule,
    time_to_removal,
)

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_default_plan_is_1h_6h_24h_then_daily_to_30_days_then_weekly() -> None:
    plan = list(RecheckSchedule().plan(T0))
    offsets = [p - T0 for p in plan]
    assert offsets[:4] == [HOUR, 6 * HOUR, 24 * HOUR, 2 * DAY]
    assert offsets[2:32] == [d * DAY for d in range(1, 31)]
    assert 30 * DAY in offsets and 31 * DAY not in offsets
    assert offsets[offsets.index(30 * DAY) + 1] == 37 * DAY
    assert offsets[-1] <= 180 * DAY


def test_after_removal_checks_go_weekly_to_catch_reinstatement() -> None:
    removed = T0 + 6 * HOUR
    plan = [p - T0 for p in RecheckSchedule().plan(T0, removed_at=removed)]
    assert plan[:3] == [HOUR, 6 * HOUR, 6 * HOUR + 7 * DAY]


def test_next_after_and_the_end_of_checking() -> None:
    schedule = RecheckSchedule(stop_after=60 * DAY)
    assert schedule.next_after(T0, T0) == T0 + HOUR
    assert schedule.next_after(T0, T0 + 3 * HOUR) == T0 + 6 * HOUR
    assert schedule.next_after(T0, T0 + 60 * DAY) is None


def test_the_schedule_is_configurable_and_checked() -> None:
    schedule = RecheckSchedule(
        first=(30 * timedelta(minutes=1),),
        every=12 * HOUR,
        daily_until=2 * DAY,
        then_every=DAY,
        stop_after=4 * DAY,
    )
    offsets = [p - T0 for p in schedule.plan(T0)]
    assert offsets == [
        timedelta(minutes=30),
        timedelta(hours=12.5),
        timedelta(hours=24.5),
        timedelta(hours=36.5),
        timedelta(hours=60.5),
        timedelta(hours=84.5),
    ]
    with pytest.raises(ValueError, match="increasing"):
        RecheckSchedule(first=(6 * HOUR, HOUR))


def _obs(*pairs: tuple[timedelta, str]) -> list[Observation]:
    return [Observation(T0 + dt, v) for dt, v in pairs]


def test_time_to_removal_is_last_online_to_first_removed() -> None:
    obs = _obs(
        (HOUR, "online"), (6 * HOUR, "unknown"), (24 * HOUR, "removed"), (2 * DAY, "removed")
    )
    interval = time_to_removal(T0, obs)
    assert interval is not None
    assert (interval.after, interval.by) == (T0 + HOUR, T0 + 24 * HOUR)
    assert interval.describe(T0) == "removed between 1 h and 1 d after referral"


def test_removed_at_the_first_check_is_bounded_by_the_referral() -> None:
    interval = time_to_removal(T0, _obs((HOUR, "removed")))
    assert interval is not None and interval.after_is_referral
    assert interval.delay_bounds(T0) == (timedelta(0), HOUR)


def test_no_removal_and_reinstated_items_have_no_interval() -> None:
    assert time_to_removal(T0, _obs((HOUR, "online"), (6 * HOUR, "unreachable"))) is None
    assert time_to_removal(T0, _obs((HOUR, "removed"), (6 * HOUR, "online"))) is None


def test_flapping_uses_the_last_removal_and_says_so() -> None:
    obs = _obs((HOUR, "online"), (6 * HOUR, "removed"), (24 * HOUR, "online"), (2 * DAY, "removed"))
    interval = time_to_removal(T0, obs)
    assert interval is not None
    assert (interval.after, interval.by, interval.reinstatements) == (T0 + DAY, T0 + 2 * DAY, 1)
    assert "flapping" in interval.describe(T0)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 90 * 24),
            st.sampled_from(["online", "removed", "unknown", "unreachable", "restricted"]),
        ),
        max_size=30,
    )
)
def test_the_interval_always_brackets_the_change_and_is_never_narrower(
    raw: list[tuple[int, str]],
) -> None:
    obs = [Observation(T0 + timedelta(hours=h), v) for h, v in raw]
    interval = time_to_removal(T0, obs)
    decisive = sorted((o for o in obs if o.verdict in ("online", "removed")), key=lambda o: o.at)
    if interval is None:
        assert not decisive or decisive[-1].verdict == "online"
        return
    assert interval.after <= interval.by
    assert any(o.at == interval.by and o.verdict == "removed" for o in obs)
    assert not any(
        interval.after < o.at < interval.by and o.verdict in ("online", "removed") for o in obs
    )
