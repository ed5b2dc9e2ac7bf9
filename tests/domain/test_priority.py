"""The priority band: matches, a watched source and reporting units; never the clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.domain.priority import HIGHEST, priority_band


def test_the_weights_rank_a_match_over_a_watch_over_more_units() -> None:
    one_unit = priority_band(matches=0, watched=False, units=1)
    assert one_unit == 3
    assert priority_band(matches=1, watched=False, units=1) == one_unit + 10
    assert priority_band(matches=0, watched=True, units=1) == one_unit + 8
    assert priority_band(matches=0, watched=False, units=3) == one_unit + 6
    # one match beats a watched source, which beats two more reporting units
    assert (
        priority_band(matches=1, watched=False, units=1)
        > priority_band(matches=0, watched=True, units=1)
        > priority_band(matches=0, watched=False, units=3)
    )


def test_matches_and_units_count_up_to_a_cap() -> None:
    assert priority_band(matches=3, watched=False, units=0) == 30
    assert priority_band(matches=50, watched=False, units=0) == 30
    assert priority_band(matches=0, watched=False, units=10) == 30
    assert priority_band(matches=0, watched=False, units=27) == 30
    assert priority_band(matches=9, watched=True, units=27) == HIGHEST == 68


@given(matches=st.integers(0, 10_000), watched=st.booleans(), units=st.integers(0, 10_000))
def test_a_band_fits_a_small_integer_and_never_falls_as_facts_are_added(
    matches: int, watched: bool, units: int
) -> None:
    band = priority_band(matches=matches, watched=watched, units=units)
    assert 0 <= band <= HIGHEST < 2**15
    assert priority_band(matches=matches + 1, watched=watched, units=units) >= band
    assert priority_band(matches=matches, watched=True, units=units) >= band
    assert priority_band(matches=matches, watched=watched, units=units + 1) >= band


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        priority_band(matches=-1, watched=False, units=1)
