"""The vocabularies the CLI's options take, checked at the edge with ``domain.names.choose``.

Case is folded here, before any service is called (``--platform Telegram`` is ``telegram``;
the API, for programs, takes only the spelling of its enums), and a typo is answered with the
closest valid names (``unknown platform 'telgram': did you mean telegram?``).
"""

from __future__ import annotations

from collections.abc import Iterable

from takedown.domain.answers import IMPOSSIBLE_REASONS, RESTRICTED_REASONS, Action
from takedown.domain.assessment import Verdict
from takedown.domain.names import choose
from takedown.domain.states import ItemState
from takedown.domain.statuses import OrderFilter, ReferralFilter
from takedown.domain.units import Role, UnitKind
from takedown.urls.registry import platform_names

# Filters of `takedown platform referrals|orders`: a state, or every one ("all").
REFERRAL_STATUSES = tuple(ReferralFilter)
ORDER_STATUSES = tuple(OrderFilter)


def platform(value: str) -> str:
    return choose("platform", value, platform_names())


def platforms(values: Iterable[str]) -> list[str]:
    return [platform(v) for v in values]


def item_state(value: str) -> str:
    return choose("item state", value, ItemState)


def verdict(value: str) -> str:
    return choose("verdict", value, Verdict)


def unit_kind(value: str) -> str:
    return choose("unit kind", value, UnitKind)


def role(value: str) -> str:
    return choose("role", value, Role)


def action(value: str) -> str:
    return choose("action", value, Action)


def answer_reason(action: str, reason: str | None) -> str | None:
    """An answer's reason: for ``impossible`` and ``restricted`` a name from their lists (case
    folded); for the other actions free text, as given."""
    if reason is None:
        return None
    if action == Action.IMPOSSIBLE:
        return choose("Annex III reason", reason, IMPOSSIBLE_REASONS)
    if action == Action.RESTRICTED:
        return choose("restriction reason", reason, RESTRICTED_REASONS)
    return reason
