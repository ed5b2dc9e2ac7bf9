"""The clocks of Reg. 2021/784: the 1-hour removal deadline with its pauses, and scrutiny.

Pure functions over times, so the rules are easy to read and to test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

REMOVAL_WINDOW = timedelta(hours=1)  # Art. 3(3)
SCRUTINY_REQUEST_WINDOW = timedelta(hours=48)  # Art. 4(1): provider or content provider asks
SCRUTINY_DECISION_WINDOW = timedelta(hours=72)  # Art. 4(2)/(4): authority decides
PRESERVATION = timedelta(days=183)  # Art. 6: six months
ANSWER_WINDOW = timedelta(days=7)  # a referral unanswered this long closes as unanswered


class PauseReason(StrEnum):
    FORCE_MAJEURE = "force_majeure"  # Art. 3(7): or de facto impossibility
    MANIFEST_ERROR = "manifest_error"  # Art. 3(8)
    INSUFFICIENT_INFORMATION = "insufficient_information"  # Art. 3(8)


@dataclass(frozen=True)
class Pause:
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Clock:
    received_at: datetime | None
    due_at: datetime | None  # None while not received or while paused
    paused: bool
    paused_for: timedelta
    remaining: timedelta | None
    overdue: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "received_at": self.received_at,
            "due_at": self.due_at,
            "paused": self.paused,
            "paused_seconds": int(self.paused_for.total_seconds()),
            "remaining_seconds": None
            if self.remaining is None
            else int(self.remaining.total_seconds()),
            "overdue": self.overdue,
        }


def removal_clock(
    received_at: datetime | None,
    pauses: Iterable[Pause],
    now: datetime,
    *,
    done_at: datetime | None = None,
) -> Clock:
    """Where the 1-hour clock stands at ``now`` (or when the order was answered: ``done_at``).

    The clock starts at receipt. A pause stops it, and when the pause ends the full hour
    starts again: the deadline "shall apply as soon as" the reasons are no longer present
    (Art. 3(7)) or the clarification has been received (Art. 3(8)). While a pause is open
    there is no deadline.
    """
    if received_at is None:
        return Clock(None, None, False, timedelta(0), None, False)
    at = done_at or now
    paused_for = timedelta(0)
    open_pause = False
    restart = received_at
    for p in pauses:
        start = max(p.started_at, received_at)
        if start > at:
            continue
        if p.ended_at is None or p.ended_at > at:
            open_pause = True
            paused_for += max(at - start, timedelta(0))
        else:
            paused_for += max(p.ended_at - start, timedelta(0))
            restart = max(restart, p.ended_at)
    if open_pause:
        return Clock(received_at, None, True, paused_for, None, False)
    due = restart + REMOVAL_WINDOW
    remaining = due - at
    return Clock(received_at, due, False, paused_for, remaining, remaining < timedelta(0))


@dataclass(frozen=True)
class Scrutiny:
    request_until: datetime | None  # provider / content provider may ask (48 h)
    authority_until: datetime | None  # host state's authority may scrutinise (72 h)

    def as_dict(self) -> dict[str, object]:
        return {"request_until": self.request_until, "authority_until": self.authority_until}


def scrutiny_windows(received_at: datetime | None, copy_sent_at: datetime | None) -> Scrutiny:
    return Scrutiny(
        received_at + SCRUTINY_REQUEST_WINDOW if received_at else None,
        copy_sent_at + SCRUTINY_DECISION_WINDOW if copy_sent_at else None,
    )
