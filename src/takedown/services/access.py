"""Authorisation, checked on the server for every request, through one function."""

from __future__ import annotations

from takedown.domain.permissions import allowed, refusal
from takedown.errors import Forbidden
from takedown.services.units import Principal


def authorize(who: Principal, action: str) -> None:
    if not allowed(action, who.role, who.unit_kind):
        raise Forbidden(refusal(action, who.role, who.unit_kind))
