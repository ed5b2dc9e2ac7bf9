"""Item states and the transitions allowed between them.

A state change happens only through ``takedown.services`` functions, which call
``check_transition`` and write the audit event in the same transaction.
"""

from __future__ import annotations

from enum import StrEnum


class ItemState(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSESSED_POSITIVE = "assessed_positive"
    ASSESSED_NEGATIVE = "assessed_negative"
    EXEMPT = "exempt"
    HELD = "held"
    READY = "ready"
    REFERRED = "referred"
    ORDERED = "ordered"
    ACKNOWLEDGED = "acknowledged"
    REMOVED_CLAIMED = "removed_claimed"
    VERIFIED_REMOVED = "verified_removed"
    STILL_ONLINE = "still_online"
    DECLINED = "declined"
    IMPOSSIBLE = "impossible"
    GONE_BEFORE_REFERRAL = "gone_before_referral"
    REINSTATED = "reinstated"
    REAPPEARED = "reappeared"


S = ItemState
TRANSITIONS: dict[ItemState, frozenset[ItemState]] = {
    S.NEW: frozenset(
        {
            S.TRIAGED,
            S.ASSESSED_POSITIVE,
            S.ASSESSED_NEGATIVE,
            S.EXEMPT,
            S.HELD,
            S.GONE_BEFORE_REFERRAL,
        }
    ),
    S.TRIAGED: frozenset(
        {S.ASSESSED_POSITIVE, S.ASSESSED_NEGATIVE, S.EXEMPT, S.HELD, S.GONE_BEFORE_REFERRAL}
    ),
    S.ASSESSED_POSITIVE: frozenset(
        {S.READY, S.HELD, S.ASSESSED_NEGATIVE, S.EXEMPT, S.GONE_BEFORE_REFERRAL}
    ),
    S.ASSESSED_NEGATIVE: frozenset({S.ASSESSED_POSITIVE, S.EXEMPT}),
    S.EXEMPT: frozenset({S.ASSESSED_POSITIVE, S.ASSESSED_NEGATIVE}),
    S.HELD: frozenset({S.READY, S.ASSESSED_POSITIVE, S.TRIAGED, S.NEW}),
    S.READY: frozenset({S.REFERRED, S.ORDERED, S.HELD, S.GONE_BEFORE_REFERRAL}),
    S.REFERRED: frozenset(
        {
            S.ACKNOWLEDGED,
            S.REMOVED_CLAIMED,
            S.VERIFIED_REMOVED,
            S.STILL_ONLINE,
            S.DECLINED,
            S.IMPOSSIBLE,
            S.ORDERED,
        }
    ),
    S.ORDERED: frozenset(
        {
            S.ACKNOWLEDGED,
            S.REMOVED_CLAIMED,
            S.VERIFIED_REMOVED,
            S.STILL_ONLINE,
            S.DECLINED,
            S.IMPOSSIBLE,
        }
    ),
    S.ACKNOWLEDGED: frozenset(
        {S.REMOVED_CLAIMED, S.VERIFIED_REMOVED, S.STILL_ONLINE, S.DECLINED, S.IMPOSSIBLE}
    ),
    # A platform may change its answer (removed, later declined): the state follows the latest
    # answer (``domain.answers``), except where a check has proved removal.
    S.REMOVED_CLAIMED: frozenset(
        {S.VERIFIED_REMOVED, S.STILL_ONLINE, S.DECLINED, S.IMPOSSIBLE, S.ACKNOWLEDGED}
    ),
    S.VERIFIED_REMOVED: frozenset({S.REINSTATED}),
    S.STILL_ONLINE: frozenset(
        {
            S.VERIFIED_REMOVED,
            S.ORDERED,
            S.REFERRED,
            S.REMOVED_CLAIMED,
            S.DECLINED,
            S.IMPOSSIBLE,
            S.ACKNOWLEDGED,
        }
    ),
    S.DECLINED: frozenset(
        {S.ORDERED, S.VERIFIED_REMOVED, S.REMOVED_CLAIMED, S.IMPOSSIBLE, S.ACKNOWLEDGED}
    ),
    S.IMPOSSIBLE: frozenset(
        {S.ORDERED, S.VERIFIED_REMOVED, S.REMOVED_CLAIMED, S.DECLINED, S.ACKNOWLEDGED}
    ),
    S.GONE_BEFORE_REFERRAL: frozenset({S.REAPPEARED}),
    S.REINSTATED: frozenset(
        {
            S.REFERRED,
            S.ORDERED,
            S.VERIFIED_REMOVED,
            S.REMOVED_CLAIMED,
            S.DECLINED,
            S.IMPOSSIBLE,
            S.ACKNOWLEDGED,
        }
    ),
    S.REAPPEARED: frozenset({S.TRIAGED, S.ASSESSED_POSITIVE, S.READY}),
}


class TransitionError(ValueError):
    pass


def check_transition(current: str, target: str) -> ItemState:
    try:
        src, dst = ItemState(current), ItemState(target)
    except ValueError as exc:
        raise TransitionError(str(exc)) from None
    if dst not in TRANSITIONS[src]:
        raise TransitionError(f"an item cannot go from {src.value} to {dst.value}")
    return dst
