"""Fixtures for the workflow tests: an operation, units, callers and helpers to move items.

``world`` builds, on this test's database:

- operation OP1 (no four-eyes) and OP4 (four-eyes);
- referral units DE-IRU (competent authority, DE), FR-IRU (not a competent authority) and
  NL-IRU (competent authority, NL); platform units TG (telegram) and YT (youtube); and the
  oversight unit EU-OVERSIGHT;
- one API token per caller (``world.token[name]``) and its principal (``world.who[name]``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from takedown.config import Settings
from takedown.interop.tabular import Row
from takedown.services import assessment, operations, units
from takedown.services.intake import submit_reports
from takedown.services.units import Principal
from takedown.store.db import Database
from takedown.store.models import Operation, Unit
from takedown.web.app import create_app

with warnings.catch_warnings():
    # Starlette deprecates its TestClient on httpx in favour of httpx2, which takedown does not
    # depend on; the client works the same (as in tests/web/conftest.py).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

# caller name → (unit, role)
CALLERS = {
    "de_analyst": ("DE-IRU", "analyst"),
    "de_analyst2": ("DE-IRU", "analyst"),
    "de_senior": ("DE-IRU", "senior_assessor"),
    "de_senior2": ("DE-IRU", "senior_assessor"),
    "de_admin": ("DE-IRU", "admin"),
    "fr_analyst": ("FR-IRU", "analyst"),
    "fr_senior": ("FR-IRU", "senior_assessor"),
    "fr_admin": ("FR-IRU", "admin"),
    "nl_senior": ("NL-IRU", "senior_assessor"),
    "tg_agent": ("TG", "platform_agent"),
    "yt_agent": ("YT", "platform_agent"),
    "auditor": ("EU-OVERSIGHT", "auditor"),
}


@dataclass
class World:
    db: Database
    who: dict[str, Principal] = field(default_factory=dict)
    token: dict[str, str] = field(default_factory=dict)
    unit_ids: dict[str, int] = field(default_factory=dict)

    def bearer(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token[caller]}"}

    def report(self, caller: str, urls: list[str], op: str = "OP1", **fields: str) -> list[int]:
        """Submit one report per URL as ``caller``'s unit; returns the item ids, in order."""
        rows = [Row(n, {"url": url, **fields}) for n, url in enumerate(urls, start=1)]
        with self.db.session() as s:
            operation = operations.get_operation(s, op)
            unit = s.get(Unit, self.who[caller].unit_id)
            assert unit is not None
        result = submit_reports(
            self.db,
            operation,
            unit,
            rows,
            actor=self.who[caller].actor,
            source="api",
            keep_items=True,
        )
        assert result.rejected == 0, result.rejections
        return [a.item_id for a in sorted(result.items, key=lambda a: a.row)]

    def assess(
        self,
        caller: str,
        item_id: int,
        verdict: str = "terrorist_content",
        grounds: str | list[str] | None = "a",
        **kwargs: Any,
    ) -> int:
        with self.db.session() as s:
            a = assessment.assess_item(
                s,
                self.who[caller],
                item_id,
                verdict=verdict,
                legal_grounds=grounds if verdict == "terrorist_content" else None,
                **kwargs,
            )
            return a.id

    def state(self, item_id: int) -> str:
        from takedown.store.models import Item

        with self.db.session() as s:
            item = s.get(Item, item_id)
            assert item is not None
            return item.state

    def operation(self, s: Any, name: str = "OP1") -> Operation:
        return operations.get_operation(s, name)


@pytest.fixture
def world(db: Database) -> World:
    w = World(db)
    with db.session() as s:
        operations.create_operation(s, "OP1", actor="test")
        operations.create_operation(s, "OP4", actor="test", four_eyes=True)
        made = {
            "DE-IRU": units.create_unit(
                s,
                "DE-IRU",
                "referral_unit",
                actor="test",
                member_state="DE",
                competent_authority=True,
                contact="iru@de.example",
            ),
            "FR-IRU": units.create_unit(
                s, "FR-IRU", "referral_unit", actor="test", contact="iru@fr.example"
            ),
            "NL-IRU": units.create_unit(
                s,
                "NL-IRU",
                "referral_unit",
                actor="test",
                member_state="NL",
                competent_authority=True,
                contact="iru@nl.example",
            ),
            "TG": units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"]),
            "YT": units.create_unit(s, "YT", "platform", actor="test", platforms=["youtube"]),
            "EU-OVERSIGHT": units.create_unit(s, "EU-OVERSIGHT", "oversight", actor="test"),
        }
        w.unit_ids = {name: u.id for name, u in made.items()}
        for caller, (unit_name, role) in CALLERS.items():
            unit = made[unit_name]
            token, secret = units.create_token(s, unit, role, actor="test", label=caller)
            w.token[caller] = secret
            w.who[caller] = units.principal_for(unit, role, token_id=token.id)
    return w


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db_url)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db)) as c:
        yield c


@pytest.fixture
def ready_items(world: World) -> Callable[..., list[int]]:
    """Report URLs as DE and assess them positive: they are ``ready`` (OP1 has no four-eyes)."""

    def _make(urls: list[str], caller: str = "de_analyst") -> list[int]:
        ids = world.report(caller, urls)
        for item_id in ids:
            world.assess(caller, item_id)
        return ids

    return _make
