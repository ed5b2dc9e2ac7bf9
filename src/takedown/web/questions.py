"""A platform's questions (``needs_clarification``) and the referring unit's replies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from takedown.services import responses
from takedown.services.units import Principal
from takedown.web import models
from takedown.web.auth import get_db, principal
from takedown.web.names import Id, Text

router = APIRouter(tags=["workflow"])
Who = Annotated[Principal, Depends(principal)]


@router.get("/questions")
def list_questions(request: Request, who: Who, replied: bool = False) -> models.QuestionList:
    """Platforms' questions about your unit's referrals and orders (unreplied ones by default;
    `replied=true` lists them all)."""
    with get_db(request).reading() as session:
        found = responses.questions_for(session, who, unanswered=not replied)
        return models.QuestionList(
            questions=[models.Question.model_validate(q, from_attributes=True) for q in found]
        )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text = Field(min_length=1, description="What the platform asked for")


@router.post("/questions/{question_id}/reply", status_code=201)
def reply(question_id: Id, body: ReplyIn, request: Request, who: Who) -> models.ReplyStored:
    """Reply to a platform's question. The platform sees it in its pull list; for a removal
    order, its receipt there ends the pause and the full hour starts again (Art. 3(8))."""
    with get_db(request).session() as session:
        answer = responses.reply_to_question(session, who, question_id, body.text)
        return models.ReplyStored(
            clarification_id=answer.id,
            question_id=answer.question_id,
            item_id=answer.item_id,
            referral_id=answer.referral_id,
            order_id=answer.order_id,
        )
