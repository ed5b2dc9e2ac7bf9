"""``takedown init``, ``operation``, ``unit`` (where a platform unit receives referrals and
orders among them), ``user`` and ``token``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer

from takedown.cli import _names as names
from takedown.cli._context import cli_actor, database, transaction
from takedown.cli._options import JSON, json_option
from takedown.cli._output import emit_json, when
from takedown.domain.countries import eu_member_state
from takedown.errors import UserError
from takedown.services import operations, tokens, units

operation_app = typer.Typer(help="Create and list operations.", no_args_is_help=True)
unit_app = typer.Typer(help="Create and list units.", no_args_is_help=True)
user_app = typer.Typer(help="Create users.", no_args_is_help=True)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def init(json_out: bool = JSON) -> None:
    """Create or upgrade the database and the first admin. Safe to run again; never prompts."""
    with database(migrated=False) as db:
        db.migrate()
        with db.session() as session:
            result = units.init_instance(session, actor=cli_actor())
    out = {
        "ok": True,
        "created_admin": result.created,
        "admin": result.admin_email,
        "password": result.password,
        "database": db.url.split("@")[-1],
    }
    if json_out:
        emit_json(out)
    elif result.created:
        typer.echo(f"Database ready: {out['database']}")
        typer.echo(f"First admin: {result.admin_email} ({units.ADMIN_UNIT} unit, role admin)")
        typer.echo(f"Admin password (shown once, keep it safe): {result.password}")
        typer.echo(
            "Nothing asks for this password yet: takedown has no sign-in, and the API and the\n"
            "workflow commands act with API tokens. Create one for the admin with\n"
            f"  takedown token create --unit {units.ADMIN_UNIT} --role admin "
            f"--user {result.admin_email}"
        )
    else:
        typer.echo(
            f"Database ready: {out['database']} (already initialised; admin {result.admin_email})"
        )


@operation_app.command("create")
def operation_create(
    name: str,
    description: str | None = typer.Option(None, help="What the operation is about."),
    four_eyes: bool = typer.Option(
        False, "--four-eyes", help="Positive assessments need a second senior assessor."
    ),
    json_out: bool = JSON,
) -> None:
    """Create an operation (an action day, or a standing one)."""
    with transaction() as session:
        op = operations.create_operation(
            session, name, actor=cli_actor(), description=description, four_eyes=four_eyes
        )
        out = {"ok": True, "id": op.id, "name": op.name, "four_eyes": op.four_eyes}
    _done(out, json_out, f"created operation {op.name} (id {op.id})")


@operation_app.command("list")
def operation_list(json_out: bool = JSON) -> None:
    """List operations."""
    with transaction() as session:
        rows = [
            {"id": o.id, "name": o.name, "status": o.status, "four_eyes": o.four_eyes}
            for o in operations.list_operations(session)
        ]
    for row in rows:
        emit_json(row) if json_out else typer.echo(f"{row['id']}\t{row['name']}\t{row['status']}")


@unit_app.command("create")
def unit_create(
    name: str,
    kind: str = typer.Option(..., help="referral_unit, coordinator, platform or oversight."),
    platform: list[str] = typer.Option(
        [], "--platform", help="Platform names a platform unit answers for."
    ),
    member_state: str | None = typer.Option(None, help="EU member state code, e.g. DE."),
    competent_authority: bool = typer.Option(
        False, "--competent-authority", help="May issue removal orders."
    ),
    contact: str | None = typer.Option(None, help="Contact address shown to other units."),
    json_out: bool = JSON,
) -> None:
    """Create a unit: an organisation taking part."""
    kind = names.unit_kind(kind)
    platform = names.platforms(platform)
    if member_state is not None:
        try:
            member_state = eu_member_state(member_state)
        except ValueError as exc:
            raise UserError(f"--member-state: {exc}") from None
    with transaction() as session:
        unit = units.create_unit(
            session,
            name,
            kind,
            actor=cli_actor(),
            platforms=platform,
            member_state=member_state,
            competent_authority=competent_authority,
            contact=contact,
        )
        out: dict[str, Any] = {"ok": True, "id": unit.id, "name": unit.name, "kind": unit.kind}
    if not contact:
        warning = (
            f"no --contact given: other units that meet {name}'s holds will see only its "
            "name and a note that no contact was given"
        )
        out["warning"] = warning
        typer.echo(f"warning: {warning}", err=True)
    _done(out, json_out, f"created {unit.kind} unit {unit.name} (id {unit.id})")


@unit_app.command("list")
def unit_list(json_out: bool = JSON) -> None:
    """List units."""
    with transaction() as session:
        rows = [
            {"id": u.id, "name": u.name, "kind": u.kind, "platforms": u.platforms}
            for u in units.list_units(session)
        ]
    for row in rows:
        emit_json(row) if json_out else typer.echo(f"{row['id']}\t{row['name']}\t{row['kind']}")


@unit_app.command("delivery")
def unit_delivery(
    name: str,
    webhook_url: str | None = typer.Option(
        None,
        "--webhook-url",
        help="URL that receives signed JSON POSTs ('' removes it); a private or loopback "
        "address only where TAKEDOWN_OUTBOUND_ALLOW_NETWORKS allows it.",
    ),
    webhook_secret: str | None = typer.Option(
        None, "--webhook-secret", help="Signing secret (default: generated and printed once)."
    ),
    email: str | None = typer.Option(
        None, "--email", help="Address that receives referrals and orders ('' removes it)."
    ),
    json_out: bool = json_option(),
) -> None:
    """Set where a platform unit receives referrals and orders: webhook and/or email."""
    if webhook_url is None and webhook_secret is None and email is None:
        raise UserError("give --webhook-url, --webhook-secret or --email")
    with transaction() as session:
        unit = units.get_unit(session, name)
        if unit.kind != "platform":
            raise UserError(f"unit {unit.name!r} is a {unit.kind}, not a platform unit")
        before = unit.webhook_secret
        units.configure_delivery(
            session,
            unit,
            actor=cli_actor(),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            email=email,
        )
        generated = (
            unit.webhook_secret
            if webhook_secret is None and unit.webhook_secret != before
            else None
        )
        out = {
            "ok": True,
            "unit": unit.name,
            "webhook_url": unit.webhook_url,
            "email": unit.email,
            "webhook_secret": generated,
        }
    if json_out:
        emit_json(out)
        return
    typer.echo(
        f"unit {out['unit']}: webhook {out['webhook_url'] or '-'}, email {out['email'] or '-'}"
    )
    if generated:
        typer.echo(f"Webhook secret (shown once; give it to the platform): {generated}")


@user_app.command("create")
def user_create(
    email: str,
    unit: str = typer.Option(..., help="The user's unit."),
    role: str = typer.Option(
        ..., help="analyst, senior_assessor, coordinator, platform_agent, auditor or admin."
    ),
    json_out: bool = JSON,
) -> None:
    """Create a user; prints a one-time password."""
    role = names.role(role)
    with transaction() as session:
        owner = units.get_unit(session, unit)
        user, secret = units.create_user(session, email, owner, role, actor=cli_actor())
        out = {
            "ok": True,
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "password": secret,
        }
    _done(out, json_out, f"created {user.role} {user.email}; one-time password: {secret}")


@token_app.command("create")
def token_create(
    unit: str = typer.Option(..., help="The unit the token acts for."),
    role: str = typer.Option(
        ...,
        help="analyst, senior_assessor, coordinator, platform_agent, auditor or admin; "
        "with --user, the user's role or one it covers (an admin's covers its unit's other roles, a senior "
        "assessor's an analyst's).",
    ),
    expires: str | None = typer.Option(
        None, help="Lifetime such as 30d, 12h or 2w (at least 1m); default never."
    ),
    label: str | None = typer.Option(None, help="A note on what the token is for."),
    user: str | None = typer.Option(None, help="The person (email) the token acts for."),
) -> None:
    """Create an API token. The token is printed once, as the only line on stdout."""
    role = names.role(role)
    lifetime = units.parse_duration(expires) if expires else None
    with transaction() as session:
        owner = units.get_unit(session, unit)
        person = units.get_user(session, user) if user else None
        token, secret = units.create_token(
            session, owner, role, actor=cli_actor(), expires_in=lifetime, label=label, user=person
        )
        typer.echo(f"token {token.id} for {owner.name} as {token.role}", err=True)
    typer.echo(secret)


@token_app.command("list")
def token_list(
    unit: str | None = typer.Option(None, help="Only the tokens of this unit."),
    every: bool = typer.Option(False, "--all", help="Also expired and revoked tokens."),
    json_out: bool = json_option("One JSON object per token."),
) -> None:
    """List API tokens: id, unit, role, person, creation and expiry; never the secret."""
    with transaction() as session:
        owner = units.get_unit(session, unit) if unit is not None else None
        found = tokens.list_tokens(session, unit=owner, include_inactive=every)
    for token in found:
        if json_out:
            emit_json(token.as_dict())
            continue
        ends = when(token.expires_at) if token.expires_at else "never"
        typer.echo(
            f"{token.id}\t{token.unit}\t{token.role}\t{token.status}\t"
            f"created {when(token.created_at)}\texpires {ends}\t"
            f"{token.user or '-'}\t{token.label or '-'}"
        )
    if not found and not json_out:
        what = "tokens" if every else "usable tokens (--all shows expired and revoked ones)"
        typer.echo(f"no {what}", err=True)


@token_app.command("revoke")
def token_revoke(token_id: int, json_out: bool = JSON) -> None:
    """Revoke an API token by id."""
    with transaction() as session:
        token = units.revoke_token(session, token_id, actor=cli_actor())
        out = {"ok": True, "id": token.id, "revoked_at": token.revoked_at}
    _done(out, json_out, f"revoked token {token_id}")


def _done(out: Mapping[str, object], json_out: bool, text: str) -> None:
    if json_out:
        emit_json(out)
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(operation_app, name="operation")
    app.add_typer(unit_app, name="unit")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
