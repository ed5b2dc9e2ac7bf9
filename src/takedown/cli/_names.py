"""The vocabularies the CLI's options take, checked at the edge with ``domain.names.choose``.

Case is folded (``--platform Telegram`` is ``telegram``) and a typo is answered with the
closest valid names (``unknown platform 'telgram': did you mean telegram?``).
"""

from __future__ import annotations

from collections.abc import Iterable

from takedown.domain.assessment import Verdict
from takedown.domain.names import choose
from takedown.domain.states import ItemState
from takedown.domain.units import Role, UnitKind
from takedown.urls.registry import platform_names

# Filters of `takedown platform referrals|orders`: a state, or every one ("all").
REFERRAL_STATUSES = ("open", "acknowledged", "closed", "all")
ORDER_STATUSES = ("open", "closed", "all")


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
    from takedown.services.responses import Action

    return choose("action", value, Action)
