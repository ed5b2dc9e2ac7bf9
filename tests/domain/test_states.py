"""Item states: the transitions the workflow allows, and the ones it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.domain.states import TRANSITIONS, ItemState, TransitionError, check_transition

S = ItemState


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "triaged"),
        ("triaged", "assessed_positive"),
        ("assessed_positive", "ready"),
        ("ready", "referred"),
        ("ready", "ordered"),
        ("referred", "acknowledged"),
        ("acknowledged", "removed_claimed"),
        ("removed_claimed", "verified_removed"),
        ("verified_removed", "reinstated"),
        ("gone_before_referral", "reappeared"),
        ("held", "ready"),
    ],
)
def test_allowed_transitions(current: str, target: str) -> None:
    assert check_transition(current, target) == ItemState(target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "verified_removed"),  # counting is the product: removal needs a referral first
        ("new", "referred"),  # nothing is referred before it is assessed
        ("assessed_negative", "ready"),
        ("removed_claimed", "removed_claimed"),
        ("verified_removed", "new"),
        ("referred", "new"),
        ("exempt", "referred"),
    ],
)
def test_refused_transitions(current: str, target: str) -> None:
    with pytest.raises(TransitionError, match=f"{current} to {target}"):
        check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [("new", "deleted"), ("limbo", "new")])
def test_unknown_states_are_refused(current: str, target: str) -> None:
    with pytest.raises(TransitionError):
        check_transition(current, target)


def test_every_state_has_a_transition_entry() -> None:
    assert set(TRANSITIONS) == set(ItemState)
    assert all(dst in ItemState for dsts in TRANSITIONS.values() for dst in dsts)


def test_a_claim_is_never_counted_as_removal_without_a_check() -> None:
    """Only verified_removed counts as offline; no state skips from new to it directly."""
    assert S.VERIFIED_REMOVED not in TRANSITIONS[S.NEW]
    assert S.VERIFIED_REMOVED not in TRANSITIONS[S.TRIAGED]
    assert S.VERIFIED_REMOVED not in TRANSITIONS[S.ASSESSED_POSITIVE]


def _reachable(start: ItemState) -> set[ItemState]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@given(st.sampled_from(list(ItemState)))
def test_every_state_is_reachable_from_new(state: ItemState) -> None:
    assert state in _reachable(S.NEW)


@given(st.lists(st.sampled_from(list(ItemState)), min_size=1, max_size=30))
def test_check_transition_agrees_with_the_table(path: list[ItemState]) -> None:
    """Walking any sequence: each step is accepted exactly when the table allows it."""
    current = S.NEW
    for target in path:
        allowed = target in TRANSITIONS[current]
        try:
            assert check_transition(current.value, target.value) is target
        except TransitionError:
            assert not allowed
        else:
            assert allowed
            current = target
