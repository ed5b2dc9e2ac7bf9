"""A platform's answers about an item, and what each does to the item's state.

An answer is always recorded, whatever the checker found first: it is the platform's claim,
kept beside the checker's proof and never instead of it. The item's state follows the latest
answer (``removed`` → ``removed_claimed``, ``declined`` → ``declined``, …) unless a check has
proved the content removed: ``verified_removed`` stays, and the answer is stored all the same.
"""

from __future__ import annotations

from enum import StrEnum

from takedown.domain.states import TRANSITIONS, ItemState


class Action(StrEnum):
    REMOVED = "removed"
    RESTRICTED = "restricted"
    DECLINED = "declined"
    IMPOSSIBLE = "impossible"
    NEEDS_CLARIFICATION = "needs_clarification"


# Answers that settle an item of a referral (a question does not).
FINAL = frozenset({Action.REMOVED, Action.RESTRICTED, Action.DECLINED, Action.IMPOSSIBLE})
IMPOSSIBLE_REASONS = ("force_majeure", "manifest_error", "insufficient_information")
RESTRICTED_REASONS = ("geo", "age")

# What the latest answer makes of the item. "restricted" is the platform acting short of
# removal (geo or age): the item counts as acknowledged, never as removed.
ANSWER_STATE = {
    Action.REMOVED: ItemState.REMOVED_CLAIMED,
    Action.RESTRICTED: ItemState.ACKNOWLEDGED,
    Action.DECLINED: ItemState.DECLINED,
    Action.IMPOSSIBLE: ItemState.IMPOSSIBLE,
}
# States a check proved: no answer moves an item out of them.
PROVEN = frozenset({ItemState.VERIFIED_REMOVED})


def state_after_answer(current: str, action: Action) -> ItemState | None:
    """The state an item moves to on this answer, or None when it stays where it is.

    It stays when the answer changes nothing (a question, the same state), when a check has
    proved removal, or when the item is not in a state an answer can move (held, say): the
    answer is recorded either way.
    """
    target = ANSWER_STATE.get(action)
    state = ItemState(current)
    if target is None or state == target or state in PROVEN:
        return None
    return target if target in TRANSITIONS[state] else None
