"""The referral workflow for scripts: assess, hold, refer, order, answer and list.

Every command acts as the holder of an API token (``--token`` or ``TAKEDOWN_TOKEN``), through
the same service functions and authorisation checks as the REST API.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import typer

from takedown.cli import _names as names
from takedown.cli._context import open_db
from takedown.cli._output import emit_json, show, when
from takedown.config import get_settings
from takedown.domain.assessment import load_taxonomy
from takedown.domain.countries import eu_member_state
from takedown.domain.names import choose
from takedown.errors import UserError
from takedown.services import assessment, deconfliction, items, referrals, responses
from takedown.services.intake import parse_time
from takedown.services.operations import get_operation
from takedown.services.units import Principal, authenticate_token, parse_duration
from takedown.store.db import Database
from takedown.store.models import utcnow

TOKEN = typer.Option(
    ..., "--token", envvar="TAKEDOWN_TOKEN", help="API token to act with (or TAKEDOWN_TOKEN)."
)
JSON = typer.Option(False, "--json", help="Print JSON.")

hold_app = typer.Typer(help="Deconfliction holds.", no_args_is_help=True)
order_app = typer.Typer(help="Removal orders (Reg. 2021/784 Art. 3).", no_args_is_help=True)
platform_app = typer.Typer(help="The platform side: list and answer.", no_args_is_help=True)


def _who(db: Database, token: str) -> Principal:
    with db.session() as session:
        who = authenticate_token(session, token)
    if who is None:
        raise UserError("the token is unknown, expired or revoked")
    return who


def items_cmd(
    operation: str,
    token: str = TOKEN,
    state: str | None = typer.Option(None, help="Only items in this state."),
    platform: str | None = typer.Option(None, help="Only items of this platform."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000, help="Items per page."),
    after: int = typer.Option(
        0, "--after", min=0, help="Start after this item id (a previous page names it)."
    ),
    every: bool = typer.Option(False, "--all", help="Every item, page after page."),
    json_out: bool = JSON,
) -> None:
    """List an operation's items, by id, a page at a time."""
    state = names.item_state(state) if state is not None else None
    platform = names.platform(platform) if platform is not None else None
    db = open_db()
    who = _who(db, token)
    from takedown.services.access import authorize

    authorize(who, "items.read")
    cursor: int | None = after
    with db.session() as session:
        op = get_operation(session, operation)
        while cursor is not None:
            page, cursor = items.list_items(
                session, op.id, state=state, platform=platform, after=cursor, limit=limit
            )
            for item in page:
                if json_out:
                    emit_json(items.item_summary(item))
                else:
                    typer.echo(f"{item.id}\t{item.state}\t{item.platform}\t{item.key}")
            if not every:
                break
    if cursor is not None:
        typer.echo(
            f"more items follow: run again with --after {cursor} for the next page, "
            "or with --all for every one",
            err=True,
        )


def queue_cmd(
    operation: str, token: str = TOKEN, limit: int = typer.Option(20), json_out: bool = JSON
) -> None:
    """The triage queue: items awaiting assessment, highest priority first."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        op = get_operation(session, operation)
        taxonomy = load_taxonomy(get_settings().taxonomy_file)
        for entry in assessment.triage_queue(session, who, op, limit=limit, taxonomy=taxonomy):
            row = entry.as_dict()
            if json_out:
                emit_json(row)
            else:
                typer.echo(f"{row['priority']:>6}  {row['item_id']}\t{row['key']}")


def assess_cmd(
    item_id: int,
    token: str = TOKEN,
    verdict: str = typer.Option(..., help="terrorist_content, not_terrorist_content or exempt."),
    ground: str | None = typer.Option(None, help="Art. 2(7) letters, e.g. a,c."),
    group: str | None = typer.Option(None, help="Entity/group label from the taxonomy."),
    tier: str | None = typer.Option(None, help="Tier label from the taxonomy."),
    reasons: str | None = typer.Option(None, help="Why."),
    json_out: bool = JSON,
) -> None:
    """Assess an item."""
    verdict = names.verdict(verdict)
    taxonomy = load_taxonomy(get_settings().taxonomy_file)
    group = choose("group", group, taxonomy["groups"]) if group else None
    tier = choose("tier", tier, taxonomy["tiers"]) if tier else None
    db = open_db()
    who = _who(db, token)
    labels = {k: v for k, v in (("group", group), ("tier", tier)) if v}
    with db.session() as session:
        a = assessment.assess_item(
            session,
            who,
            item_id,
            verdict=verdict,
            legal_grounds=ground,
            labels=labels,
            reasons=reasons,
            taxonomy=taxonomy,
        )
        state = items.get_item(session, item_id).state
        out = {"assessment_id": a.id, "status": a.status, "item_state": state}
    show(out, json_out)


def confirm_cmd(assessment_id: int, token: str = TOKEN, json_out: bool = JSON) -> None:
    """Confirm another senior assessor's positive assessment (four-eyes)."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        a = assessment.confirm_assessment(session, who, assessment_id)
        out = {
            "assessment_id": a.id,
            "status": a.status,
            "item_state": items.get_item(session, a.item_id).state,
        }
    show(out, json_out)


def _until(text: str) -> datetime:
    try:
        return utcnow() + parse_duration(text)
    except UserError:
        pass
    try:
        return parse_time(text)
    except ValueError:
        raise UserError(f"--until {text!r}: give a duration (30d) or an ISO 8601 time") from None


@hold_app.command("place")
def hold_place(
    target: str,
    token: str = TOKEN,
    reason: str = typer.Option(..., help="Seen only by your unit."),
    until: str = typer.Option("30d", help="Expiry: a duration (30d) or an ISO 8601 time."),
    json_out: bool = JSON,
) -> None:
    """Hold a URL, key or signal: its items are not referred while the hold stands."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        hold = deconfliction.place_hold(session, who, target, reason=reason, until=_until(until))
        out = deconfliction.hold_view(session, hold, who)
    show(out, json_out)


@hold_app.command("release")
def hold_release(hold_id: int, token: str = TOKEN, json_out: bool = JSON) -> None:
    """Release a hold (its holder, or an admin of the holding unit)."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        out = deconfliction.hold_view(
            session, deconfliction.release_hold(session, who, hold_id), who
        )
    show(out, json_out)


@hold_app.command("list")
def hold_list(token: str = TOKEN, json_out: bool = JSON) -> None:
    """Active holds; other units' holds show only "held" and a contact."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        for n, hold in enumerate(deconfliction.list_holds(session, who)):
            if n and not json_out:
                typer.echo("")
            show(deconfliction.hold_view(session, hold, who), json_out)


def refer_cmd(
    operation: str,
    token: str = TOKEN,
    platform: str = typer.Option(..., help="Platform name, as `takedown url parse` names it."),
    allow_unserved: bool = typer.Option(
        False,
        "--allow-unserved",
        help="Refer although no platform unit answers for the platform: the referral then "
        "waits for email or a manual export.",
    ),
    json_out: bool = JSON,
) -> None:
    """Refer every ready item of a platform in the operation.

    Held items and content already sent in another operation (still open, or proved
    removed) stay ready, and the output says which and why."""
    platform = names.platform(platform)
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        op = get_operation(session, operation)
        outcome = referrals.refer_ready(session, who, op, platform, allow_unserved=allow_unserved)
        out = outcome.as_dict()
        if not json_out:
            out["already_sent_elsewhere"] = {
                item_id: "; ".join(referrals.describe_send(s) for s in sends)
                for item_id, sends in outcome.sent_elsewhere.items()
            }
    show(out, json_out)


@order_app.command("issue")
def order_issue(
    item_id: int,
    token: str = TOKEN,
    ground: str = typer.Option(..., help="Art. 2(7) letters, e.g. a,c."),
    reasons: str = typer.Option(..., help="Additional reasons (Annex I)."),
    redress: str = typer.Option(..., help="Court or body, deadlines, link to national law."),
    case_reference: str | None = typer.Option(
        None,
        help="Your own case reference, unique per authority; the order's reference is "
        "generated, and the issuing authority is your unit.",
    ),
    host_member_state: str | None = typer.Option(None, help="Where the provider is established."),
    non_disclosure: bool = typer.Option(False, "--non-disclosure", help="Art. 11(3)."),
    json_out: bool = JSON,
) -> None:
    """Issue a removal order: 1 hour from the platform's receipt."""
    if host_member_state is not None:
        try:
            host_member_state = eu_member_state(host_member_state)
        except ValueError as exc:
            raise UserError(f"--host-member-state: {exc}") from None
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        order = referrals.issue_removal_order(
            session,
            who,
            item_id,
            grounds=ground,
            reasons=reasons,
            redress=redress,
            case_reference=case_reference,
            host_member_state=host_member_state,
            non_disclosure=non_disclosure,
        )
        out = {**referrals.order_payload(order), "clock": referrals.order_clock(session, order)}
    show(out, json_out)


@order_app.command("show")
def order_show(order_id: int, token: str = TOKEN, json_out: bool = JSON) -> None:
    """An order and where its clock stands."""
    db = open_db()
    who = _who(db, token)
    from takedown.services.access import authorize

    authorize(who, "orders.read")
    with db.session() as session:
        order = referrals.get_order(session, order_id)
        out = {
            **referrals.order_payload(order),
            "status": order.status,
            "clock": referrals.order_clock(session, order),
        }
    show(out, json_out)


@order_app.command("resume")
def order_resume(order_id: int, token: str = TOKEN, json_out: bool = JSON) -> None:
    """Resolve an order's pause: the clock restarts."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        order = referrals.resume_order(session, who, order_id)
        out = {"order_id": order.id, "clock": referrals.order_clock(session, order)}
    show(out, json_out)


@platform_app.command("referrals")
def platform_referrals(
    token: str = TOKEN,
    status: str = typer.Option("open", help="open (not closed), acknowledged, closed or all."),
    json_out: bool = JSON,
) -> None:
    """Referrals addressed to your platforms."""
    status = choose("status", status, names.REFERRAL_STATUSES)
    db = open_db()
    who = _who(db, token)
    since: int | None = 0
    with db.session() as session:
        while since is not None:
            page, since = responses.list_referrals(session, who, status=status, since=since)
            for referral in page:
                if json_out:
                    emit_json(referral)
                else:
                    typer.echo(
                        f"referral {referral['id']} ({referral['status']}): "
                        f"{len(referral['items'])} items"
                    )


@platform_app.command("orders")
def platform_orders(
    token: str = TOKEN,
    status: str = typer.Option("open", help="open, closed or all."),
    json_out: bool = JSON,
) -> None:
    """Removal orders addressed to your platforms (listing one counts as its receipt)."""
    status = choose("status", status, names.ORDER_STATUSES)
    db = open_db()
    who = _who(db, token)
    since: int | None = 0
    with db.session() as session:
        while since is not None:
            page, since = responses.list_orders(session, who, status=status, since=since)
            for order in page:
                if json_out:
                    emit_json(order)
                else:
                    typer.echo(
                        f"order {order['order_id']} {order['reference']}: {order['url']} "
                        f"due {when(order['clock']['due_at'])}"
                    )


@platform_app.command("ack")
def platform_ack(referral_id: int, token: str = TOKEN) -> None:
    """Acknowledge a referral."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        referral = responses.acknowledge_referral(session, who, referral_id)
        typer.echo(f"referral {referral.id}: {referral.status}")


@platform_app.command("answer")
def platform_answer(
    referral_id: int,
    token: str = TOKEN,
    item: list[int] = typer.Option(..., "--item", help="Item id (repeat for several)."),
    action: str = typer.Option(
        ..., help="removed, restricted, declined, impossible, needs_clarification."
    ),
    reason: str | None = typer.Option(
        None, help="Reason (required for declined, impossible, restricted)."
    ),
    json_out: bool = JSON,
) -> None:
    """Answer items of a referral. Idempotent."""
    action = names.action(action)
    reason = names.answer_reason(action, reason)
    db = open_db()
    who = _who(db, token)
    answers = [{"item_id": i, "action": action, "reason": reason} for i in item]
    with db.session() as session:
        out = responses.answer_referral(session, who, referral_id, answers)
    show(asdict(out), json_out)


@platform_app.command("answer-order")
def platform_answer_order(
    order_id: int,
    token: str = TOKEN,
    action: str = typer.Option(
        ..., help="removed, restricted, declined, impossible, needs_clarification."
    ),
    reason: str | None = typer.Option(None, help="Reason (Annex III reason for impossible)."),
    json_out: bool = JSON,
) -> None:
    """Answer a removal order (Annex II or III)."""
    action = names.action(action)
    reason = names.answer_reason(action, reason)
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        out = responses.answer_order(session, who, order_id, {"action": action, "reason": reason})
    show(asdict(out), json_out)


def watch_cmd(operation: str, target: str, token: str = TOKEN, note: str | None = None) -> None:
    """Put a known source on the operation's watchlist: its items rise in the triage queue."""
    db = open_db()
    who = _who(db, token)
    with db.session() as session:
        watch = assessment.add_watch(session, who, get_operation(session, operation), target, note)
        typer.echo(f"watching {watch.key}")


def register(app: typer.Typer) -> None:
    app.command("items")(items_cmd)
    app.command("queue")(queue_cmd)
    app.command("assess")(assess_cmd)
    app.command("confirm")(confirm_cmd)
    app.command("refer")(refer_cmd)
    app.command("watch")(watch_cmd)
    app.add_typer(hold_app, name="hold")
    app.add_typer(order_app, name="order")
    app.add_typer(platform_app, name="platform")
