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
    does: str  # what it allows, as a refusal says it: "may not <does>"


PERMISSIONS: dict[str, Permission] = {
    "reports.submit": Permission(WORKERS, REPORTERS, "submit reports"),
    "items.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}, "read items"),
    "items.assess": Permission(
        frozenset({R.ANALYST, R.SENIOR_ASSESSOR, R.ADMIN}), REPORTERS, "assess items"
    ),
    "assessments.confirm": Permission(
        frozenset({R.SENIOR_ASSESSOR}), REPORTERS, "confirm assessments"
    ),
    "holds.place": Permission(WORKERS, REPORTERS, "place holds"),
    "holds.release": Permission(WORKERS, REPORTERS, "release holds"),
    "holds.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}, "read holds"),
    "referrals.create": Permission(WORKERS, REPORTERS, "refer items to platforms"),
    "referrals.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}, "read referrals"),
    "orders.issue": Permission(
        frozenset({R.SENIOR_ASSESSOR}), frozenset({K.REFERRAL_UNIT}), "issue removal orders"
    ),
    "orders.read": Permission(READERS, REPORTERS | {K.OVERSIGHT}, "read removal orders"),
    "platform.read": Permission(
        frozenset({R.PLATFORM_AGENT}),
        frozenset({K.PLATFORM}),
        "read the referrals and orders addressed to a platform",
    ),
    "platform.answer": Permission(
        frozenset({R.PLATFORM_AGENT}),
        frozenset({K.PLATFORM}),
        "answer referrals and orders for a platform",
    ),
    "deliveries.read": Permission(
        frozenset({R.COORDINATOR, R.ADMIN, R.AUDITOR}),
        REPORTERS | {K.OVERSIGHT},
        "read deliveries to platforms",
    ),
    "deliveries.retry": Permission(
        frozenset({R.COORDINATOR, R.ADMIN}), REPORTERS, "retry deliveries to platforms"
    ),
    "watchlist.edit": Permission(
        frozenset({R.COORDINATOR, R.SENIOR_ASSESSOR, R.ADMIN}), REPORTERS, "edit the watchlist"
    ),
    "audit.read": Permission(
        frozenset({R.AUDITOR, R.ADMIN}), REPORTERS | {K.OVERSIGHT}, "read the audit trail"
    ),
}


def allowed(action: str, role: str, unit_kind: str) -> bool:
    perm = PERMISSIONS[action]
    return role in perm.roles and unit_kind in perm.kinds


# The roles a user's API token may carry: the user's own, or one it covers. An admin covers
# the unit's other roles; a senior assessor covers an analyst; the others only themselves.
TOKEN_ROLES: dict[Role, frozenset[Role]] = {
    R.ADMIN: frozenset(Role),
    R.SENIOR_ASSESSOR: frozenset({R.SENIOR_ASSESSOR, R.ANALYST}),
    R.ANALYST: frozenset({R.ANALYST}),
    R.COORDINATOR: frozenset({R.COORDINATOR}),
    R.PLATFORM_AGENT: frozenset({R.PLATFORM_AGENT}),
    R.AUDITOR: frozenset({R.AUDITOR}),
}


def roles_of_kind(unit_kind: str) -> frozenset[Role]:
    """The roles that can do anything in a unit of this kind: those some permission grants
    there (an oversight unit's auditors and admins, a platform's agents …)."""
    kind = UnitKind(unit_kind)
    return frozenset(r for perm in PERMISSIONS.values() if kind in perm.kinds for r in perm.roles)


def token_roles(user_role: str, unit_kind: str | None = None) -> list[str]:
    """The roles a token of a user with ``user_role`` may carry, in the order roles are listed.

    With ``unit_kind``, an admin's cover is the unit's other roles (those of ``roles_of_kind``),
    not every role: an oversight unit's admin may not make a platform agent's token."""
    role = Role(user_role)
    covered = TOKEN_ROLES.get(role, frozenset())
    if unit_kind is not None and role is R.ADMIN:
        covered = (covered & roles_of_kind(unit_kind)) | {R.ADMIN}
    return [r.value for r in Role if r in covered]


# Refusals read as English: "an auditor of an oversight unit may not assess items".
_ROLE_ORDER = list(Role)
_KIND_ORDER = list(UnitKind)


def role_phrase(role: str) -> str:
    """``senior_assessor`` → "senior assessor"."""
    return role.replace("_", " ")


def unit_phrase(kind: str) -> str:
    """``referral_unit`` → "referral unit", ``oversight`` → "oversight unit"."""
    words = kind.replace("_", " ")
    return words if words.endswith("unit") else f"{words} unit"


def with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def refusal(action: str, role: str, unit_kind: str) -> str:
    """Why ``role`` of a ``unit_kind`` unit may not do ``action``, and who may."""
    perm = PERMISSIONS[action]
    who = f"{with_article(role_phrase(role))} of {with_article(unit_phrase(unit_kind))}"
    roles = _or([role_phrase(r) for r in _ROLE_ORDER if r in perm.roles])
    kinds = _or([unit_phrase(k) for k in _KIND_ORDER if k in perm.kinds])
    return f"{who} may not {perm.does}; only {with_article(roles)} of {with_article(kinds)} may"


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
