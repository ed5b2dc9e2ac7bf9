"""Items, triage, assessments, holds, referrals and orders: the referral unit's side of /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from takedown.config import Settings
from takedown.domain.assessment import AssessmentStatus, load_taxonomy
from takedown.domain.names import choose
from takedown.domain.states import ItemState
from takedown.errors import NotFound, UserError
from takedown.services import assessment, deconfliction, items, referrals
from takedown.services.access import authorize
from takedown.services.operations import get_operation
from takedown.services.units import Principal
from takedown.store.referrals import Referral, RemovalOrder
from takedown.web import models
from takedown.web.auth import get_db, principal
from takedown.web.names import (
    Cursor,
    Id,
    ItemPageSize,
    Labels,
    LegalGrounds,
    Line,
    MemberState,
    OperationRef,
    PageSize,
    PlatformName,
    StateName,
    Text,
    VerdictName,
)

router = APIRouter(tags=["workflow"])
Who = Annotated[Principal, Depends(principal)]
QueueCursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern="^[A-Za-z0-9_-]+$",
        description="`next` from the previous page of the queue (opaque)",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


@router.get("/operations/{op}/items")
def list_items(
    op: OperationRef,
    request: Request,
    who: Who,
    state: StateName | None = None,
    platform: PlatformName | None = None,
    cursor: Annotated[Cursor, Query(description="`next` from the previous page")] = 0,
    limit: ItemPageSize = 100,
) -> models.ItemPage:
    """Items of an operation, by id; `next` is the cursor for the following page."""
    with get_db(request).reading() as session:
        operation = get_operation(session, op, who=who, may="items.read")
        page, nxt = items.list_items(
            session, operation.id, state=state, platform=platform, after=cursor, limit=limit
        )
        summaries = [models.ItemSummary.model_validate(items.item_summary(i)) for i in page]
        return models.ItemPage(items=summaries, next=nxt)


@router.get("/operations/{op}/queue")
def triage_queue(
    op: OperationRef,
    request: Request,
    who: Who,
    limit: PageSize = 50,
    cursor: QueueCursor = None,
    offset: Annotated[Cursor, Query(deprecated=True, description="Use `cursor`.")] = 0,
) -> models.QueuePage:
    """Items awaiting assessment, highest priority first, with the factors of the priority
    and, for an item that matched a known-content bank, the suggestion that match makes.
    The order is stored (priority band, then the latest report, then the item), so `next`
    continues the queue where this page ended, however it changed since."""
    with get_db(request).reading() as session:
        operation = get_operation(session, op, who=who, may="items.read")
        page = assessment.triage_queue(
            session,
            who,
            operation,
            limit=limit,
            cursor=cursor,
            offset=offset,
            taxonomy=_taxonomy(request),
        )
        return models.QueuePage(
            items=[models.QueueEntry.model_validate(e.as_dict()) for e in page], next=page.next
        )


@router.get("/items/{item_id}")
def get_item(item_id: Id, request: Request, who: Who) -> models.ItemDetail:
    """One item with its reports; other units' notes and references are withheld.

    `suggestion` is what a known-content bank match suggests (`source: bank_match`): labels
    to pre-fill the assessment, and the match behind them. It is not a decision; null when
    nothing matched or a negative bank marked the match a known false positive.
    """
    authorize(who, "items.read")
    with get_db(request).reading() as session:
        item = items.get_item(session, item_id)
        view = items.item_view(session, item, who)
        view["holds"] = [
            deconfliction.hold_view(session, h, who)
            for h in deconfliction.holds_shown_on_item(session, item, who)
        ]
        view["sent_elsewhere"] = [
            send.as_dict() for send in referrals.earlier_sends(session, [item])[item.id]
        ]
        view |= assessment.assessment_suggestion(session, who, item.id, taxonomy=_taxonomy(request))
        return models.ItemDetail.model_validate(view)


@router.get("/items/{item_id}/suggestion")
def get_suggestion(item_id: Id, request: Request, who: Who) -> models.SuggestionOut:
    """The bank-match suggestion for assessing an item, and its known-content summary."""
    with get_db(request).reading() as session:
        found = assessment.assessment_suggestion(session, who, item_id, taxonomy=_taxonomy(request))
        return models.SuggestionOut.model_validate(found)


def _taxonomy(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return load_taxonomy(settings.taxonomy_file)


class AssessmentIn(Strict):
    verdict: VerdictName = Field(description="terrorist_content, not_terrorist_content or exempt")
    legal_ground: LegalGrounds | None = Field(
        default=None, description="Art. 2(7) letters a–e, e.g. ['a', 'c'] or 'a,c'"
    )
    labels: Labels | None = Field(default=None, description="group, tier, tags")
    reasons: Text | None = None


@router.post("/items/{item_id}/assessments", status_code=201)
def assess(item_id: Id, body: AssessmentIn, request: Request, who: Who) -> models.AssessmentOutcome:
    """Record an assessment. With four-eyes, a positive one waits for a second senior assessor."""
    taxonomy = _taxonomy(request)
    labels = _taxonomy_labels(body.labels, taxonomy)
    with get_db(request).session() as session:
        a = assessment.assess_item(
            session,
            who,
            item_id,
            verdict=body.verdict,
            legal_grounds=body.legal_ground,
            labels=labels,
            reasons=body.reasons,
            taxonomy=taxonomy,
        )
        item = items.get_item(session, item_id)
        return models.AssessmentOutcome(
            assessment_id=a.id, status=AssessmentStatus(a.status), item_state=ItemState(item.state)
        )


def _taxonomy_labels(labels: Labels | None, taxonomy: dict[str, Any]) -> dict[str, Any] | None:
    """The group and tier labels spelled as the taxonomy spells them (case folded); an unknown
    one is a 422 that names the closest labels."""
    if not labels:
        return labels
    out = dict(labels)
    for key, vocabulary in (("group", "groups"), ("tier", "tiers")):
        value = out.get(key)
        if isinstance(value, str):
            try:
                out[key] = choose(key, value, taxonomy[vocabulary])
            except UserError as exc:
                problem = {"loc": ("body", "labels", key), "msg": str(exc), "type": "unknown_name"}
                raise RequestValidationError([problem]) from None
    return out


@router.post("/assessments/{assessment_id}/confirm")
def confirm(assessment_id: Id, request: Request, who: Who) -> models.AssessmentOutcome:
    """Four-eyes confirmation by a different senior assessor."""
    with get_db(request).session() as session:
        a = assessment.confirm_assessment(session, who, assessment_id)
        item = items.get_item(session, a.item_id)
        return models.AssessmentOutcome(
            assessment_id=a.id, status=AssessmentStatus(a.status), item_state=ItemState(item.state)
        )


class HoldIn(Strict):
    target: Line = Field(
        max_length=1024,
        description="A URL, a key (telegram:account:name) or sha256:/md5:/pdq:<hex>",
    )
    reason: Text = Field(description="Seen only by your unit")
    until: datetime = Field(description="Expiry, ISO 8601")


@router.post("/holds", status_code=201)
def place_hold(body: HoldIn, request: Request, who: Who) -> models.HoldView:
    with get_db(request).session() as session:
        hold = deconfliction.place_hold(
            session, who, body.target, reason=body.reason, until=body.until
        )
        return models.HoldView.model_validate(deconfliction.hold_view(session, hold, who))


@router.get("/holds")
def list_holds(request: Request, who: Who) -> models.HoldList:
    """Your unit's active holds (every unit's for oversight auditors). Another unit's hold
    shows only on the page of an item your unit reported, as "held" with a contact."""
    with get_db(request).reading() as session:
        holds = deconfliction.list_holds(session, who)
        views = [deconfliction.hold_view(session, h, who) for h in holds]
        return models.HoldList(holds=[models.HoldView.model_validate(v) for v in views])


@router.delete("/holds/{hold_id}")
def release_hold(hold_id: Id, request: Request, who: Who) -> models.HoldView:
    with get_db(request).session() as session:
        hold = deconfliction.release_hold(session, who, hold_id)
        return models.HoldView.model_validate(deconfliction.hold_view(session, hold, who))


class ReferralIn(Strict):
    platform: PlatformName = Field(description="Platform name, as `takedown url parse` names it")
    allow_unserved: bool = Field(
        default=False,
        description="Refer even though no platform unit answers for the platform: the referral "
        "then waits for email or a manual export",
    )


@router.post("/operations/{op}/referrals", status_code=201)
def refer(op: OperationRef, body: ReferralIn, request: Request, who: Who) -> models.ReferOutcome:
    """Refer every ready item for that platform; `referral_id` is null when none was sent.

    `held` lists items a hold stopped; `already_sent_elsewhere` the items whose content an
    open referral or order of another operation already covers (or that a check proved
    removed), each with that earlier send.
    """
    with get_db(request).session() as session:
        operation = get_operation(session, op, who=who, may="referrals.create")
        outcome = referrals.refer_ready(
            session, who, operation, body.platform, allow_unserved=body.allow_unserved
        )
        return models.ReferOutcome.model_validate(outcome.as_dict())


@router.get("/referrals/{referral_id}")
def get_referral(referral_id: Id, request: Request, who: Who) -> models.Referral:
    authorize(who, "referrals.read")
    from takedown.services.responses import referral_view

    with get_db(request).reading() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise NotFound(f"no referral with id {referral_id}")
        return models.Referral.model_validate(referral_view(session, referral))


class OrderIn(Strict):
    item_id: Id
    legal_ground: LegalGrounds
    reasons: Text
    redress: Text = Field(description="Court or body, deadlines, and the link to national law")
    case_reference: Line | None = Field(
        default=None,
        max_length=100,
        validation_alias=AliasChoices("case_reference", "reference"),
        description="Your own case reference, kept beside the order's reference (which "
        "takedown generates) and unique per issuing authority: a duplicate is a 409. "
        "`reference`, its earlier name, is accepted too. The issuing authority is your unit.",
    )
    addressee_contact: Line | None = Field(default=None, max_length=320)
    non_disclosure: bool = False
    host_member_state: MemberState | None = Field(
        default=None,
        description="EU member state of the provider's establishment (Art. 4 copy), e.g. NL",
    )


@router.post("/orders", status_code=201)
def issue_order(body: OrderIn, request: Request, who: Who) -> models.Order:
    """Issue a removal order (Reg. 2021/784 Art. 3): 1 hour from the platform's receipt."""
    with get_db(request).session() as session:
        order = referrals.issue_removal_order(
            session,
            who,
            body.item_id,
            grounds=body.legal_ground,
            reasons=body.reasons,
            redress=body.redress,
            case_reference=body.case_reference,
            addressee_contact=body.addressee_contact,
            non_disclosure=body.non_disclosure,
            host_member_state=body.host_member_state,
        )
        return _order_out(session, order)


@router.get("/orders/{order_id}")
def get_order(order_id: Id, request: Request, who: Who) -> models.Order:
    authorize(who, "orders.read")
    with get_db(request).reading() as session:
        return _order_out(session, referrals.get_order(session, order_id))


def _order_out(session: Session, order: RemovalOrder) -> models.Order:
    clock = referrals.order_clock(session, order)
    return models.Order.model_validate(
        {**referrals.order_payload(order), "status": order.status, "clock": clock}
    )


@router.post("/orders/{order_id}/resume")
def resume_order(order_id: Id, request: Request, who: Who) -> models.OrderClock:
    """The issuer answered the clarification (or the force majeure ended): the clock restarts."""
    with get_db(request).session() as session:
        order = referrals.resume_order(session, who, order_id)
        return order_clock_out(session, order)


def order_clock_out(session: Session, order: RemovalOrder) -> models.OrderClock:
    """``{"order_id", "clock"}``: what a route that moves an order's clock answers."""
    clock = models.Clock.model_validate(referrals.order_clock(session, order))
    return models.OrderClock(order_id=order.id, clock=clock)


@router.get("/notifications")
def notifications(request: Request, who: Who, unread: bool = False) -> models.NotificationList:
    """What happened to your unit's work: a hold blocked a send, an order was paused or is
    overdue, a platform asked a question, an order's copy reached your member state."""
    with get_db(request).reading() as session:
        notes = deconfliction.notifications_for(session, who, unread=unread)
        return models.NotificationList.model_validate(
            {
                "notifications": [
                    {"id": n.id, "kind": n.kind, "payload": n.payload, "created_at": n.created_at}
                    for n in notes
                ]
            }
        )
