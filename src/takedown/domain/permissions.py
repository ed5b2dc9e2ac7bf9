"""Who may do what: one table, checked on the server for every request.

A permission names the unit kinds and roles allowed. Object-level rules (a platform sees only
referrals addressed to it, a hold is released only by its holder) live in the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from takedown.domain.units import Role, UnitKind

R, K = Role, UnitKind
REPORTERS = frozenset({K.REFERRAL_UNIT, K.COORDINATOR})
WORKERS = frozenset({R.ANALYST, R.SENIOR_ASSESSOR, R.COORDINATOR, R.ADMIN})
READERS = frozenset({R.ANALYST, R.SENIOR_ASSESSOR, R.COORDINATOR, R.ADMIN, R.AUDITOR})


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    kinds: frozenset[UnitKind]


PERMISSIONS: dict[str, Permission] = {
    "reports.submit": Permission(WORKERS, REPORTERS),
    "items.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}),
    "items.assess": Permission(frozenset({R.ANALYST, R.SENIOR_ASSESSOR, R.ADMIN}), REPORTERS),
    "assessments.confirm": Permission(frozenset({R.SENIOR_ASSESSOR}), REPORTERS),
    "holds.place": Permission(WORKERS, REPORTERS),
    "holds.release": Permission(WORKERS, REPORTERS),
    "holds.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}),
    "referrals.create": Permission(WORKERS, REPORTERS),
    "referrals.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}),
    "orders.issue": Permission(frozenset({R.SENIOR_ASSESSOR}), frozenset({K.REFERRAL_UNIT})),
    "orders.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}),
    "platform.read": Permission(frozenset({R.PLATFORM_AGENT}), frozenset({K.PLATFORM})),
    "platform.answer": Permission(frozenset({R.PLATFORM_AGENT}), frozenset({K.PLATFORM})),
    "deliveries.read": Permission(
        frozenset({R.COORDINATOR, R.ADMIN, R.AUDITOR}), REPORTERS | {K.OVERSIGHT}
    ),
    "deliveries.retry": Permission(frozenset({R.COORDINATOR, R.ADMIN}), REPORTERS),
    "watchlist.edit": Permission(frozenset({R.COORDINATOR, R.SENIOR_ASSESSOR, R.ADMIN}), REPORTERS),
    "audit.read": Permission(frozenset({R.AUDITOR, R.ADMIN}), REPORTERS | {K.OVERSIGHT}),
}


def allowed(action: str, role: str, unit_kind: str) -> bool:
    perm = PERMISSIONS[action]
    return role in perm.roles and unit_kind in perm.kinds
