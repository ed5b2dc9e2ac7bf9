"""Fixtures for the intake tests: an operation, two referral units and a submit helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from takedown.interop.tabular import Row
from takedown.services import operations, units
from takedown.services.intake import IntakeResult, submit_reports
from takedown.store.db import Database
from takedown.store.models import Operation, Unit

Submit = Callable[..., IntakeResult]


@pytest.fixture
def op(db: Database) -> Operation:
    with db.session() as s:
        return operations.create_operation(s, "Action Day", actor="test")


@pytest.fixture
def unit(db: Database) -> Unit:
    with db.session() as s:
        return units.create_unit(s, "DE-IRU", "referral_unit", actor="test", member_state="DE")


@pytest.fixture
def other_unit(db: Database) -> Unit:
    with db.session() as s:
        return units.create_unit(s, "FR-IRU", "referral_unit", actor="test", member_state="FR")


def rows(*reports: dict[str, Any]) -> list[Row]:
    """Rows as a reader would give them: numbered from 2, like a spreadsheet under its header."""
    return [Row(n, dict(r)) for n, r in enumerate(reports, start=2)]


@pytest.fixture
def submit(db: Database, op: Operation, unit: Unit) -> Submit:
    def _submit(*reports: dict[str, Any], by: Unit | None = None, **kw: Any) -> IntakeResult:
        kw.setdefault("keep_items", True)
        return submit_reports(db, op, by or unit, rows(*reports), actor="test", source="test", **kw)

    return _submit
