"""Which roles a user's token may carry: the user's own or one it covers, and an admin's
cover is the roles of the admin's own unit."""

from __future__ import annotations

import pytest

from takedown.domain.permissions import PERMISSIONS, roles_of_kind, token_roles
from takedown.domain.units import Role, UnitKind
from takedown.errors import UserError
from takedown.services import units
from takedown.store.db import Database


def test_a_role_of_a_kind_is_one_some_permission_grants_there() -> None:
    for kind in UnitKind:
        granted = {r for p in PERMISSIONS.values() if kind in p.kinds for r in p.roles}
        assert roles_of_kind(kind) == granted
    assert roles_of_kind("platform") == {Role.PLATFORM_AGENT}


@pytest.mark.parametrize("kind", list(UnitKind))
def test_an_admin_covers_the_roles_of_its_own_unit_only(kind: UnitKind) -> None:
    may = set(token_roles("admin", kind))
    assert may == {r.value for r in roles_of_kind(kind)} | {"admin"}
    assert ("platform_agent" in may) == (kind is UnitKind.PLATFORM)


def test_the_others_cover_themselves_and_a_senior_assessor_an_analyst() -> None:
    assert token_roles("senior_assessor", "referral_unit") == ["analyst", "senior_assessor"]
    for role in ("analyst", "coordinator", "platform_agent", "auditor"):
        assert token_roles(role, "referral_unit") == [role]


def test_a_platform_admin_cannot_make_an_analyst_token(db: Database) -> None:
    with db.session() as s:
        tg = units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
        admin, _ = units.create_user(s, "admin@tg.example", tg, "admin", actor="test")
        with pytest.raises(UserError, match="may carry platform_agent or admin, not analyst"):
            units.create_token(s, tg, "analyst", actor="test", user=admin)
        token, _ = units.create_token(s, tg, "platform_agent", actor="test", user=admin)
        assert token.role == "platform_agent"
