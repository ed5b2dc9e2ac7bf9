"""Authorisation, checked on the server for every request, through one function."""

from __future__ import annotations

from takedown.domain.permissions import allowed
from takedown.errors import Forbidden
from takedown.services.units import Principal


def authorize(who: Principal, action: str) -> None:
    if not allowed(action, who.role, who.unit_kind):
        raise Forbidden(f"a {who.role} of a {who.unit_kind} unit may not do {action}")
