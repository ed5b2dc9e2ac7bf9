"""Units, users and API tokens: who takes part, and how they prove it."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.domain.countries import eu_member_state
from takedown.domain.permissions import role_phrase, token_roles, with_article
from takedown.domain.units import Role, UnitKind
from takedown.errors import NotFound, UserError
from takedown.store import audit
from takedown.store.models import ApiToken, Unit, User, utcnow

_hasher = PasswordHasher()
ADMIN_UNIT = "takedown"
ADMIN_EMAIL = "admin@localhost"
TOKEN_PREFIX = "tdk_"


def create_unit(
    session: Session,
    name: str,
    kind: str,
    *,
    actor: str,
    platforms: list[str] | None = None,
    member_state: str | None = None,
    competent_authority: bool = False,
    contact: str | None = None,
) -> Unit:
    name = name.strip()
    if not name or len(name) > 200 or not name.isprintable():
        raise UserError(f"unit name {name!r} must be 1–200 printable characters")
    try:
        unit_kind = UnitKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in UnitKind)
        raise UserError(f"unknown unit kind {kind!r}; use one of: {allowed}") from None
    if member_state is not None:
        try:
            member_state = eu_member_state(member_state)
        except ValueError as exc:
            raise UserError(f"member state {exc}") from None
    if competent_authority and unit_kind is not UnitKind.REFERRAL_UNIT:
        raise UserError("only a referral_unit can be a competent authority")
    if competent_authority and member_state is None:
        raise UserError("a competent authority needs --member-state")
    if platforms and unit_kind is not UnitKind.PLATFORM:
        raise UserError("--platform applies to platform units only")
    if session.scalar(select(Unit).where(Unit.name == name)) is not None:
        raise UserError(f"a unit named {name!r} already exists")
    unit = Unit(
        name=name,
        kind=unit_kind.value,
        platforms=sorted(set(platforms or [])),
        member_state=member_state,
        competent_authority=competent_authority,
        contact=contact,
    )
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unit.create",
        object_type="unit",
        object_id=unit.id,
        change={
            "name": name,
            "kind": unit.kind,
            "platforms": unit.platforms,
            "member_state": member_state,
            "competent_authority": competent_authority,
        },
    )
    return unit


def get_unit(session: Session, ref: str | int) -> Unit:
    text = str(ref).strip()
    unit = session.scalar(select(Unit).where(Unit.name == text))
    if unit is None and text.isdigit():
        unit = session.get(Unit, int(text))
    if unit is None:
        known = session.scalars(select(Unit.name).order_by(Unit.id).limit(10)).all()
        hint = f"; known: {', '.join(known)}" if known else ""
        raise NotFound(f"unknown unit {text!r}{hint}")
    return unit


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"unknown role {role!r}; use one of: {allowed}") from None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def create_user(
    session: Session, email: str, unit: Unit, role: str, *, actor: str, password: str | None = None
) -> tuple[User, str]:
    """Create a user; returns it with its one-time password (generated unless given)."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"{email!r} is not an email address")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise UserError(f"a user {email!r} already exists")
    secret = password or secrets.token_urlsafe(12)
    user = User(
        email=email,
        unit_id=unit.id,
        role=_role(role).value,
        password_hash=_hasher.hash(secret),
        must_change_password=password is None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        change={"email": email, "unit": unit.name, "role": user.role},
    )
    return user, secret


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    unit: Unit,
    role: str,
    *,
    actor: str,
    expires_in: timedelta | None = None,
    label: str | None = None,
    user: User | None = None,
) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its digest is stored.

    A user's token carries the user's role or one it covers (``permissions.TOKEN_ROLES``),
    never more; a lifetime, when given, is positive (none: the token never expires)."""
    if user is not None and user.unit_id != unit.id:
        raise UserError(f"user {user.email} is not in unit {unit.name}")
    role = _role(role).value
    if user is not None and role not in token_roles(user.role, unit.kind):
        may = token_roles(user.role, unit.kind)
        raise UserError(
            f"user {user.email} is {with_article(role_phrase(user.role))}: a token for them may "
            f"carry {' or '.join(may)}, not {role}"
        )
    if expires_in is not None and expires_in <= timedelta(0):
        raise UserError(
            f"a token's lifetime must be positive, not {expires_in}; "
            "give none for a token that never expires"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id if user is not None else None,
        token_hash=token_digest(secret),
        prefix=secret[:10],
        unit_id=unit.id,
        role=role,
        label=label,
        expires_at=utcnow() + expires_in if expires_in is not None else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.create",
        object_type="api_token",
        object_id=token.id,
        change={
            "unit": unit.name,
            "role": token.role,
            "label": label,
            "expires_at": token.expires_at,
            "user_id": token.user_id,
        },
    )
    return token, secret


def revoke_token(session: Session, token_id: int, *, actor: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor=actor,
            action="token.revoke",
            object_type="api_token",
            object_id=token.id,
            change={"revoked_at": token.revoked_at},
        )
    return token


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved on the server for every request."""

    unit_id: int
    unit_name: str
    unit_kind: str
    role: str
    token_id: int | None = None
    user_id: int | None = None
    platforms: tuple[str, ...] = ()
    competent_authority: bool = False
    member_state: str | None = None

    @property
    def identity(self) -> str:
        """The person (user) or, for a token without one, the token: four-eyes compares these."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"token:{self.token_id}"

    @property
    def actor(self) -> str:
        return f"{self.identity}@{self.unit_name}"


def principal_for(
    unit: Unit, role: str, *, token_id: int | None = None, user_id: int | None = None
) -> Principal:
    return Principal(
        unit.id,
        unit.name,
        unit.kind,
        role,
        token_id,
        user_id,
        tuple(unit.platforms or ()),
        unit.competent_authority,
        unit.member_state,
    )


def authenticate_token(
    session: Session, secret: str, now: datetime | None = None
) -> Principal | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = now or utcnow()
    if token.expires_at is not None:
        expires = token.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=now.tzinfo)
        if expires <= now:
            return None
    unit = session.get(Unit, token.unit_id)
    if unit is None:
        return None
    return principal_for(unit, token.role, token_id=token.id, user_id=token.user_id)


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m`` or ``2w``: a positive whole number and its unit."""
    match = re.fullmatch(r"\s*([0-9]{1,5})\s*([mhdw])\s*", text)
    if not match:
        raise UserError(
            f"duration {text!r} not understood: use a number and m, h, d or w (e.g. 30d)"
        )
    n, unit = int(match.group(1)), match.group(2)
    if n <= 0:
        raise UserError(f"duration {text.strip()!r} is not positive: use at least 1 (e.g. 30d)")
    return {
        "m": timedelta(minutes=n),
        "h": timedelta(hours=n),
        "d": timedelta(days=n),
        "w": timedelta(weeks=n),
    }[unit]


@dataclass(frozen=True)
class InitResult:
    created: bool
    admin_email: str
    password: str | None


def init_instance(session: Session, *, actor: str) -> InitResult:
    """Create the first admin (idempotent): a coordinator unit and one admin user."""
    admin = session.scalar(select(User).where(User.role == Role.ADMIN.value).limit(1))
    if admin is not None:
        return InitResult(False, admin.email, None)
    unit = session.scalar(select(Unit).where(Unit.name == ADMIN_UNIT))
    if unit is None:
        unit = create_unit(session, ADMIN_UNIT, UnitKind.COORDINATOR.value, actor=actor)
    user, secret = create_user(session, ADMIN_EMAIL, unit, Role.ADMIN.value, actor=actor)
    return InitResult(True, user.email, secret)


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"unknown user {email!r}")
    return user


def configure_delivery(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    email: str | None = None,
    contact: str | None = None,
    allow_networks: list[str] | tuple[str, ...] | None = None,
) -> Unit:
    """Set where a platform unit receives referrals and orders (webhook, email).

    Every value is one line: a control character (CR and LF included, which would reach an
    email's headers) is refused. A webhook URL goes through the checker's guard
    (``takedown.checker.outbound.vet_url``): http or https, a valid host, and no address it
    names literally (``127.0.0.2``, ``[::1]``, ``localhost``) outside the public internet
    unless ``allow_networks`` (default: ``TAKEDOWN_OUTBOUND_ALLOW_NETWORKS``) opens it. A
    name is resolved and vetted at every delivery instead: DNS answers change, and no lookup
    should wait inside this transaction.
    """
    from takedown.checker.guard import Refused
    from takedown.checker.outbound import ALLOW_SETTING, vet_url
    from takedown.config import get_settings

    for field, value in (
        ("webhook URL", webhook_url),
        ("webhook secret", webhook_secret),
        ("email", email),
        ("contact", contact),
    ):
        if value and any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
            shown = "" if field == "webhook secret" else f" {value!r}"  # never echo a secret
            raise UserError(f"{field}{shown} contains a control character (CR, LF, …)")
    if webhook_url is not None:
        if webhook_url and not webhook_url.startswith(("http://", "https://")):
            raise UserError(f"webhook URL {webhook_url!r} must start with http:// or https://")
        if webhook_url:
            if allow_networks is None:
                allow_networks = get_settings().outbound_allow_networks
            try:
                vet_url(webhook_url, allow_networks)
            except Refused as exc:
                raise UserError(
                    f"webhook URL {webhook_url!r} is refused: {exc} (a webhook must reach a "
                    f"public address; {ALLOW_SETTING} opens a private network)"
                ) from None
            except ValueError as exc:  # a network in the setting that is not one
                raise UserError(str(exc)) from None
        unit.webhook_url = webhook_url or None
        if webhook_url and not (webhook_secret or unit.webhook_secret):
            webhook_secret = secrets.token_urlsafe(32)
    if webhook_secret is not None:
        unit.webhook_secret = webhook_secret or None
    if email is not None:
        if email and not _EMAIL.match(email):
            raise UserError(f"{email!r} is not an email address")
        unit.email = email or None
    if contact is not None:
        unit.contact = contact or None
    audit.record(
        session,
        actor=actor,
        action="unit.delivery",
        object_type="unit",
        object_id=unit.id,
        # the secret itself never enters the audit trail
        change={
            "webhook_url": unit.webhook_url,
            "email": unit.email,
            "contact": unit.contact,
            "webhook_secret_set": bool(unit.webhook_secret),
        },
    )
    return unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.id)))
