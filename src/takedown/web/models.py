"""What /api/v1 sends: one response model per shape, declared once for every route module.

The models describe what the routes sent before they were declared (same keys, same
meanings), so existing clients keep working:

- **Timestamps** are ISO 8601 with the UTC offset written out (``2026-12-07T13:39:00+00:00``).
- **Vocabularies** (states, verdicts, actions, statuses, platforms, content kinds) are enums in
  the OpenAPI document. Lists grow (platforms above all): a client tolerates a value it does
  not know.
- **Keys that are sent only sometimes** (a hold's details, seen only by its unit; a bank
  match's variant or frame) are optional properties (``Sparse``): absent, never null, when
  there is nothing to say.

Services return their own values (ORM rows, dataclasses, dicts); the routes map them here
with ``model_validate``, so a service that changes its shape fails the route's tests, not a
client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

from takedown.domain.answers import Action
from takedown.domain.assessment import LEGAL_GROUNDS, AssessmentStatus, Verdict
from takedown.domain.deadlines import PauseReason
from takedown.domain.states import ItemState
from takedown.domain.statuses import (
    HoldStatus,
    HoldTarget,
    NotificationKind,
    OrderStatus,
    ReferralStatus,
)
from takedown.web.names import ContentKindName, PlatformName, one_of


def _iso(when: datetime) -> str:
    return when.isoformat()


Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A moment, sent as ISO 8601 with its offset (``+00:00``)."""

Ground = Annotated[str, one_of("LegalGround", LEGAL_GROUNDS)]
"""A letter of Reg. 2021/784 Art. 2(7), a–e."""


def _as_text(value: object) -> object:
    """A bank entry's label as text (an imported list may carry a number or an object)."""
    return value if isinstance(value, str) or value is None else str(value)


LabelText = Annotated[str, BeforeValidator(_as_text)]


class Out(BaseModel):
    """A response body, or a part of one. A key it does not declare is refused, so that what
    a service adds is declared here before any client sees it."""

    model_config = ConfigDict(extra="forbid")


class Sparse(Out):
    """A body some of whose optional keys are sent only when the service set them (its schema
    is the validation one: those keys are optional, never null for want of a value)."""

    # No return annotation: pydantic then documents the model's own fields, not the return type.
    @model_serializer(mode="wrap")
    def _only_what_was_set(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data = handler(self)
        fields = type(self).model_fields
        return {
            k: v
            for k, v in data.items()
            if k in self.model_fields_set or k not in fields or fields[k].is_required()
        }


# Items


class ItemSummary(Out):
    item_id: int
    key: str = Field(description="The canonical key, `platform:kind:…`: one item per key.")
    url: str
    canonical_url: str
    platform: PlatformName
    kind: ContentKindName
    account: str | None
    state: ItemState
    created_at: Timestamp
    updated_at: Timestamp


class ItemPage(Out):
    items: list[ItemSummary]
    next: int | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class KnownContent(Out):
    matches: int = Field(description="Counted known-content matches.")
    suppressed: int
    false_positive_banks: list[str] = Field(
        description="Negative banks the evidence also hit: a known false positive."
    )


class SuggestedLabels(Sparse):
    group: str | None = None
    tier: str | None = None


class SuggestionMatch(Sparse):
    """The bank match behind a suggestion, with the entry's labels."""

    bank: str
    entry_id: int
    signal_type: str
    distance: int
    entity: LabelText | None = None
    tier: LabelText | None = None
    behaviour: LabelText | None = None
    source: LabelText | None = None
    tags: list[LabelText] | None = None
    variant: str | None = Field(default=None, description="The image variant that matched.")
    frame: int | None = Field(default=None, description="The video frame that matched.")
    t: float | None = Field(default=None, description="Its time in the video, in seconds.")


class Suggestion(Out):
    """What a known-content bank match suggests: not a decision."""

    source: Literal["bank_match"] = "bank_match"
    note: str
    verdict: Verdict
    labels: SuggestedLabels = Field(description="Labels to pre-fill the assessment.")
    match: SuggestionMatch
    matches: int
    banks: list[str]
    entities: list[str]


class SuggestionOut(Out):
    suggestion: Suggestion | None
    known_content: KnownContent


class QueueEntry(ItemSummary):
    priority: int = Field(
        description="The priority band: higher is more urgent (docs/workflow.md)."
    )
    reporting_units: int
    known_content_matches: int
    watched_source: bool
    last_reported_at: Timestamp
    suggestion: Suggestion | None


class QueuePage(Out):
    items: list[QueueEntry]
    next: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null at the end."
    )


class ReportView(Out):
    """One report of an item; another unit's references and notes are withheld (null)."""

    report_id: int
    unit: str
    url: str
    reported_at: Timestamp
    title: str | None
    language: str | None
    content_type: str | None
    group: str | None
    external_id: str | None
    notes: str | None
    url_secret: str | None = Field(
        description="What the URL carried that opens the content (a file host's key)."
    )


class HoldView(Sparse):
    """A hold. Its unit (and oversight auditors) see everything; other units only that it
    holds the item, and whom to contact."""

    hold_id: int
    status: HoldStatus
    holder: str | None
    contact: str | None
    target: str | None = None
    target_type: HoldTarget | None = None
    reason: str | None = None
    until: Timestamp | None = None
    placed_by: str | None = None
    released_at: Timestamp | None = None


class HoldList(Out):
    holds: list[HoldView]


class EarlierSend(Out):
    """A referral or order of the same content in another operation."""

    operation: str
    item_id: int
    item_state: ItemState
    referral_id: int | None
    order_id: int | None
    status: ReferralStatus | OrderStatus
    blocks: bool = Field(description="Whether it stops the content being sent again.")


class ItemDetail(ItemSummary):
    parents: list[str] = Field(description="Keys of the account or site above the content.")
    flags: list[str]
    reports: list[ReportView]
    holds: list[HoldView]
    sent_elsewhere: list[EarlierSend]
    suggestion: Suggestion | None
    known_content: KnownContent


class AssessmentOutcome(Out):
    assessment_id: int
    status: AssessmentStatus
    item_state: ItemState


# Referrals and orders


class ReferOutcome(Sparse):
    referral_id: int | None = Field(description="Null when nothing was sent.")
    platform: PlatformName
    items: int = Field(description="How many items the referral holds.")
    held: list[int] = Field(description="Items a hold stopped.")
    already_sent_elsewhere: dict[str, list[EarlierSend]] = Field(
        description="By item id: the open referral or order of another operation that "
        "already covers the content (or the check that proved it removed)."
    )
    note: str | None = Field(
        default=None, description="Sent when no platform unit answers for the platform."
    )


class LatestAnswer(Out):
    action: Action
    reason: str | None
    answered_at: Timestamp


class Reply(Out):
    question_id: int
    reply: str
    replied_at: Timestamp


class ReferralItem(Out):
    item_id: int
    url: str
    canonical_url: str
    key: str
    kind: ContentKindName
    answer: LatestAnswer | None = Field(description="The platform's latest answer.")
    clarifications: list[Reply]


class Referral(Out):
    id: int
    platform: PlatformName
    status: ReferralStatus
    created_at: Timestamp
    acknowledged_at: Timestamp | None
    closed_at: Timestamp | None
    items: list[ReferralItem]


class Scrutiny(Out):
    request_until: Timestamp | None
    authority_until: Timestamp | None


class PauseView(Out):
    reason: PauseReason
    started_at: Timestamp
    ended_at: Timestamp | None
    note: str | None


class Clock(Out):
    """Where an order's 1-hour clock stands (Reg. 2021/784 Art. 3(3), (7), (8))."""

    received_at: Timestamp | None
    due_at: Timestamp | None = Field(description="Null before receipt and while paused.")
    paused: bool
    paused_seconds: int
    remaining_seconds: int | None
    overdue: bool
    scrutiny: Scrutiny
    pauses: list[PauseView]


class Order(Out):
    """A removal order with its Annex I fields, its status and its clock."""

    type: Literal["removal_order"] = "removal_order"
    order_id: int
    reference: str = Field(description="takedown's reference of the order.")
    case_reference: str | None = Field(description="The issuing authority's own reference.")
    issuing_authority: str
    member_state: str
    addressee: PlatformName
    url: str
    item_id: int
    grounds: list[Ground]
    reasons: str
    redress: str
    non_disclosure: bool
    issued_at: Timestamp
    status: OrderStatus
    clock: Clock


class OrderClock(Out):
    order_id: int
    clock: Clock


class Notification(Out):
    id: int
    created_at: Timestamp


class HoldBlocked(Out):
    hold_id: int
    item_id: int
    key: str
    by: str = Field(description="Who tried to refer or order the item.")


class HoldBlockedNote(Notification):
    kind: Literal[NotificationKind.HOLD_BLOCKED]
    payload: HoldBlocked


class OrderCopy(Out):
    order_id: int
    reference: str
    url: str


class OrderCopyNote(Notification):
    kind: Literal[NotificationKind.ORDER_COPY]
    payload: OrderCopy


class OrderPaused(Out):
    order_id: int
    reason: PauseReason
    note: str | None


class OrderPausedNote(Notification):
    kind: Literal[NotificationKind.ORDER_PAUSED]
    payload: OrderPaused


class OrderOverdue(Out):
    order_id: int
    reference: str


class OrderOverdueNote(Notification):
    kind: Literal[NotificationKind.ORDER_OVERDUE]
    payload: OrderOverdue


class ClarificationRequested(Out):
    item_id: int
    referral_id: int | None
    order_id: int | None
    question: str | None


class ClarificationRequestedNote(Notification):
    kind: Literal[NotificationKind.CLARIFICATION_REQUESTED]
    payload: ClarificationRequested


AnyNotification = Annotated[
    HoldBlockedNote
    | OrderCopyNote
    | OrderPausedNote
    | OrderOverdueNote
    | ClarificationRequestedNote,
    Field(discriminator="kind"),
]


class NotificationList(Out):
    notifications: list[AnyNotification]


# The platform's side


class ReferralPage(Out):
    referrals: list[Referral]
    next: int | None = Field(description="Pass as `since` for the next page; null at the end.")


class PlatformOrder(Order):
    answer: LatestAnswer | None = Field(description="Your latest answer.")
    clarifications: list[Reply] = Field(description="The issuer's replies to your questions.")


class OrderPage(Out):
    orders: list[PlatformOrder]
    next: int | None = Field(description="Pass as `since` for the next page; null at the end.")


class ReferralAck(Out):
    referral_id: int
    status: ReferralStatus


class ReferralAnswered(Out):
    referral_id: int
    stored: int = Field(description="Answers stored by this request.")
    unchanged: int = Field(description="Answers the same as the latest one: not stored again.")
    status: ReferralStatus


class OrderAnswered(Out):
    order_id: int
    stored: int
    unchanged: int
    status: OrderStatus
    clock: Clock


# Questions


class Question(Out):
    question_id: int
    item_id: int
    referral_id: int | None
    order_id: int | None
    question: str | None = Field(description="What the platform asked.")
    asked_at: Timestamp
    replied: bool


class QuestionList(Out):
    questions: list[Question]


class ReplyStored(Out):
    clarification_id: int
    question_id: int
    item_id: int
    referral_id: int | None
    order_id: int | None
