"""``POST /api/v1/operations/{op}/reports``: batches of up to 10,000 reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from takedown.interop.tabular import REPORT_FIELDS, Row, normalise_name
from takedown.services.access import authorize
from takedown.services.intake import submit_reports
from takedown.services.operations import get_operation
from takedown.services.units import Principal
from takedown.store.models import Unit
from takedown.web.auth import get_db, principal
from takedown.web.names import OperationRef

router = APIRouter(tags=["intake"])


class ReportBatch(BaseModel):
    reports: list[dict[str, Any]] = Field(
        ...,
        description=(
            "Reports: objects with `url` (required) and optionally title, text, language, "
            "content_type, group, notes, reported_at (ISO 8601, from 1990-01-01 to a day "
            "ahead; without an offset, UTC) and external_id. A report that fails a check "
            "(length, control characters, date) is listed in `rejected`; the others are stored."
        ),
    )


class ItemRef(BaseModel):
    row: int = Field(description="Position of the report in the batch, from 1.")
    item_id: int
    key: str
    new: bool = Field(description="The report created this item.")
    duplicate: bool = Field(description="The same report was already stored; nothing added.")


class Rejected(BaseModel):
    row: int
    field: str
    reason: str


class BatchResult(BaseModel):
    accepted: int = Field(description="Reports stored by this request.")
    new_items: int
    merged: int = Field(description="Stored reports that joined an existing item.")
    duplicates: int
    items: list[ItemRef]
    rejected: list[Rejected]
    ignored_fields: list[str]


def _rows(reports: list[dict[str, Any]]) -> tuple[list[Row], set[str]]:
    rows: list[Row] = []
    ignored: set[str] = set()
    for n, raw in enumerate(reports, start=1):
        fields: dict[str, str | None] = {}
        problem = None
        for key, value in raw.items():
            name = normalise_name(str(key))
            if name not in REPORT_FIELDS:
                ignored.add(str(key))
                continue
            if value is None:
                continue
            if not isinstance(value, str | int | float):
                problem = (name, "not_text", f"{name} must be text")
                break
            # checked by intake's RowChecker, as the rows of a file are (lengths, characters, dates)
            fields[name] = str(value).strip() or None
        rows.append(Row(n, fields, problem))
    return rows, ignored


@router.post("/operations/{op}/reports", response_model=BatchResult)
def post_reports(
    op: OperationRef,
    batch: ReportBatch,
    request: Request,
    who: Annotated[Principal, Depends(principal)],
) -> BatchResult:
    """Submit reports. Same (unit, external_id) or the same report content twice adds nothing."""
    authorize(who, "reports.submit")
    limit = request.app.state.settings.api_max_reports
    if len(batch.reports) > limit:
        raise HTTPException(413, f"{len(batch.reports)} reports in one batch; the limit is {limit}")
    db = get_db(request)
    with db.session() as session:
        operation = get_operation(session, op)
        unit = session.get(Unit, who.unit_id)
        assert unit is not None
    rows, ignored = _rows(batch.reports)
    result = submit_reports(
        db,
        operation,
        unit,
        rows,
        actor=who.actor,
        source="api",
        batch_size=max(len(rows), 1),
        keep_items=True,
    )
    return BatchResult(
        accepted=result.accepted,
        new_items=result.new_items,
        merged=result.merged,
        duplicates=result.duplicates,
        items=[
            ItemRef(row=a.row, item_id=a.item_id, key=a.key, new=a.new_item, duplicate=a.duplicate)
            for a in result.items
        ],
        rejected=[Rejected(**r.as_dict()) for r in result.rejections],
        ignored_fields=sorted(ignored),
    )
