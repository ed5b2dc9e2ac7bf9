"""Reading API tokens: who they act for and until when; never their secrets.

Tokens are created and revoked in ``takedown.services.units``; only the SHA-256 digest of a
secret is stored, and nothing here returns even that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.store.models import ApiToken, Unit, User, utcnow


@dataclass(frozen=True)
class TokenInfo:
    id: int
    unit: str
    role: str
    user: str | None
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str  # active, expired or revoked

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "unit": self.unit,
            "role": self.role,
            "user": self.user,
            "label": self.label,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            "status": self.status,
        }


def list_tokens(
    session: Session,
    *,
    unit: Unit | None = None,
    include_inactive: bool = False,
    now: datetime | None = None,
) -> list[TokenInfo]:
    """API tokens by id, of one unit or all; without ``include_inactive``, only usable ones."""
    now = now or utcnow()
    query = (
        select(ApiToken, Unit.name, User.email)
        .join(Unit, Unit.id == ApiToken.unit_id)
        .outerjoin(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id)
    )
    if unit is not None:
        query = query.where(ApiToken.unit_id == unit.id)
    found = []
    for token, unit_name, email in session.execute(query):
        status = _status(token, now)
        if status != "active" and not include_inactive:
            continue
        found.append(
            TokenInfo(
                token.id,
                unit_name,
                token.role,
                email,
                token.label,
                token.created_at,
                token.expires_at,
                token.revoked_at,
                status,
            )
        )
    return found


def _status(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    expires = token.expires_at
    if expires is not None:
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=now.tzinfo)
        if expires <= now:
            return "expired"
    return "active"
