"""How urgent an item awaiting assessment is: its priority band.

The band is a whole number made from what is known about the item, never from the clock, so
it can be stored, indexed and paged on: it changes only when one of its facts changes.

- **Known content**: each counted bank match (not suppressed, not in a negative bank) is worth
  ``MATCH_POINTS``, up to ``MATCHES_COUNTED`` of them. A match is the strongest sign.
- **Watched source**: ``WATCHED_POINTS`` when the item's key or one of its parents (the
  account, channel or site that published it) is on the operation's watchlist.
- **Reporting units**: ``UNIT_POINTS`` per distinct unit that reported it, up to
  ``UNITS_COUNTED`` units: content several countries found matters to several countries.

So a single match (10) outranks a watched source (8), which outranks two more reporting
units (6). Time plays no part: within a band the queue shows the most recently reported items
first (docs/workflow.md, "The triage queue"), which keeps the spirit of the recency bonus the
queue used to add at read time without making the stored order decay.
"""

from __future__ import annotations

MATCH_POINTS = 10
MATCHES_COUNTED = 3
WATCHED_POINTS = 8
UNIT_POINTS = 3
UNITS_COUNTED = 10
HIGHEST = MATCH_POINTS * MATCHES_COUNTED + WATCHED_POINTS + UNIT_POINTS * UNITS_COUNTED


def priority_band(*, matches: int, watched: bool, units: int) -> int:
    """The band of an item with ``matches`` counted known-content matches, published by a
    watched source or not, and reported by ``units`` distinct units: 0 … ``HIGHEST``."""
    if matches < 0 or units < 0:
        raise ValueError(f"matches ({matches}) and units ({units}) cannot be negative")
    return (
        MATCH_POINTS * min(matches, MATCHES_COUNTED)
        + (WATCHED_POINTS if watched else 0)
        + UNIT_POINTS * min(units, UNITS_COUNTED)
    )
