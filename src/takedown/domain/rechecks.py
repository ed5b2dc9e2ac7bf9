"""When to recheck a referred item, and how long removal took — no more precise than that.

The schedule after a referral: +1 h, +6 h, +24 h, then daily until the item is seen removed
or 30 days have passed, then weekly to catch reinstatement. Time to removal is an interval:
from the last check that saw the item ``online`` to the first that saw it ``removed``. The
truth lies somewhere inside; no figure may claim more.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class RecheckSchedule:
    first: tuple[timedelta, ...] = (HOUR, 6 * HOUR, 24 * HOUR)
    every: timedelta = DAY
    daily_until: timedelta = 30 * DAY
    then_every: timedelta = 7 * DAY
    stop_after: timedelta | None = 180 * DAY  # None: weekly rechecks never stop

    def __post_init__(self) -> None:
        if not self.first or any(b <= a for a, b in zip(self.first, self.first[1:], strict=False)):
            raise ValueError("first: offsets must be positive and increasing")
        if self.first[0] <= timedelta(0):
            raise ValueError(f"first: offset {self.first[0]} must be positive")
        if self.every <= timedelta(0) or self.then_every <= timedelta(0):
            raise ValueError("every and then_every must be positive")

    def next_after(
        self, referred_at: datetime, last: datetime, removed_at: datetime | None = None
    ) -> datetime | None:
        """The first planned check strictly after ``last``, or None when checking is over.

        ``removed_at``: when a check first saw the item removed; rechecks go weekly from then.
        """
        for due in self.plan(referred_at, removed_at):
            if due > last:
                return due
        return None

    def plan(self, referred_at: datetime, removed_at: datetime | None = None) -> Iterator[datetime]:
        """Every planned check time, in order (endless when ``stop_after`` is None)."""
        end = referred_at + self.stop_after if self.stop_after is not None else None
        daily_end = referred_at + self.daily_until
        if removed_at is not None:
            daily_end = min(daily_end, removed_at)
        due = referred_at
        for offset in self.first:
            if referred_at + offset > daily_end:
                break
            due = referred_at + offset
            if end is not None and due > end:
                return
            yield due
        while due + self.every <= daily_end and due >= referred_at + self.first[-1]:
            due += self.every
            if end is not None and due > end:
                return
            yield due
        while True:
            due += self.then_every
            if end is not None and due > end:
                return
            yield due


@dataclass(frozen=True)
class Observation:
    at: datetime
    verdict: str  # a checker verdict: online, removed, restricted, unreachable, unknown


@dataclass(frozen=True)
class RemovalInterval:
    """Removal happened after ``after`` and no later than ``by``."""

    after: datetime
    by: datetime
    after_is_referral: bool  # no online check before: the lower bound is the referral itself
    reinstatements: int  # times the item came back online after being seen removed

    def delay_bounds(self, referred_at: datetime) -> tuple[timedelta, timedelta]:
        return max(timedelta(0), self.after - referred_at), self.by - referred_at

    def describe(self, referred_at: datetime) -> str:
        low, high = self.delay_bounds(referred_at)
        text = f"removed between {_round(low, down=True)} and {_round(high, down=False)} after referral"
        if self.reinstatements:
            text += f" (flapping: back online {self.reinstatements} time(s) before)"
        return text


def _round(delta: timedelta, *, down: bool) -> str:
    """Outward rounding to whole minutes, hours or days so the text claims no extra precision."""
    seconds = delta.total_seconds()
    for unit, name in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= unit or unit == 60:
            whole = seconds // unit if down else -(-seconds // unit)
            return f"{int(whole)} {name}"
    raise AssertionError("unreachable")  # pragma: no cover


def time_to_removal(
    referred_at: datetime, observations: Sequence[Observation]
) -> RemovalInterval | None:
    """The interval of the removal that holds now; None when the item is not seen removed.

    Only ``online`` and ``removed`` observations move the bounds; unknown, unreachable and
    restricted checks prove nothing either way. When an item flapped (removed, online again,
    removed), the interval is that of the last removal, and the reinstatements are counted.
    """
    seen = sorted((o for o in observations if o.at >= referred_at), key=lambda o: o.at)
    decisive = [o for o in seen if o.verdict in ("online", "removed")]
    if not decisive or decisive[-1].verdict != "removed":
        return None
    reinstatements = sum(
        1
        for a, b in itertools.pairwise(decisive)
        if a.verdict == "removed" and b.verdict == "online"
    )
    first_removed = len(decisive) - 1
    while first_removed > 0 and decisive[first_removed - 1].verdict == "removed":
        first_removed -= 1
    if first_removed == 0:
        return RemovalInterval(referred_at, decisive[0].at, True, reinstatements)
    last_online = decisive[first_removed - 1]
    return RemovalInterval(last_online.at, decisive[first_removed].at, False, reinstatements)
