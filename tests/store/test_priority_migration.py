"""Migration 0010 computes the stored triage order of items that were there before it.

Rows are written as revision 0009 knew them (reports from two units, matches counted, capped,
suppressed and in a negative bank, watched keys and parents), then the database is upgraded:
each item gets the band ``domain.priority`` gives it and its latest report time, and
``services.priority.refresh_priority`` finds nothing left to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Connection, insert, select

from takedown.domain.priority import priority_band
from takedown.services.priority import refresh_priority
from takedown.store.assessment import Watch
from takedown.store.banks import Bank, BankEntry, Match
from takedown.store.db import Database, alembic_config, head_revision
from takedown.store.models import Item, Operation, Report, Unit

T1 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def at_0009(db: Database) -> Iterator[Database]:
    """The test's (empty) database taken back to revision 0009; at head again afterwards."""
    command.downgrade(alembic_config(db), "0009")
    try:
        yield db
    finally:
        db.migrate()


def _item(conn: Connection, op: int, key: str, parents: list[str] | None = None) -> int:
    url = f"https://t.me/{key.split(':')[-1]}"
    row = {"operation_id": op, "key": key, "url": url, "canonical_url": url,
           "platform": "telegram", "kind": "post", "parents": parents or [], "flags": [],
           "state": "new", "created_at": T1, "updated_at": T1}  # fmt: skip
    return int(conn.execute(insert(Item.__table__).values(row).returning(Item.id)).scalar_one())


def _report(conn: Connection, op: int, item: int, unit: int, at: datetime, n: int) -> None:
    conn.execute(
        insert(Report.__table__).values(
            operation_id=op, item_id=item, unit_id=unit, dedupe_key=n, url=f"https://t.me/r/{n}",
            source="test", reported_at=at, received_at=at,
        )
    )  # fmt: skip


def _matches(conn: Connection, item: int, bank: int, entries: list[int], **kw: bool) -> None:
    for entry in entries:
        conn.execute(
            insert(Match.__table__).values(
                item_id=item, bank_id=bank, bank_entry_id=entry, signal_type="sha256",
                distance=0, suppressed=kw.get("suppressed", False),
            )
        )  # fmt: skip


def test_items_stored_before_0010_get_their_band_and_last_report_time(at_0009: Database) -> None:
    db = at_0009
    assert db.current_revision() == "0009"
    with db.engine.begin() as conn:
        op = conn.execute(insert(Operation.__table__).values(name="OP").returning(Operation.id))
        op_id = int(op.scalar_one())
        de, fr = (
            int(conn.execute(insert(Unit.__table__).values(name=n, kind="referral_unit")
                             .returning(Unit.id)).scalar_one())
            for n in ("DE", "FR")
        )  # fmt: skip
        two_units = _item(conn, op_id, "telegram:post:a/1")
        _report(conn, op_id, two_units, de, T1, 1)
        _report(conn, op_id, two_units, fr, T2, 2)
        _report(conn, op_id, two_units, de, T1, 3)  # the same unit again counts once
        by_parent = _item(conn, op_id, "telegram:post:watched_chan/2", ["telegram:channel:w_c"])
        _report(conn, op_id, by_parent, de, T2, 4)
        by_key = _item(conn, op_id, "telegram:post:b/3")
        _report(conn, op_id, by_key, de, T1, 5)
        unreported = _item(conn, op_id, "telegram:post:c/4")
        matched = _item(conn, op_id, "telegram:post:d/5")
        _report(conn, op_id, matched, fr, T2, 6)
        for key in ("telegram:channel:w_c", "telegram:post:b/3"):
            conn.execute(insert(Watch.__table__).values(operation_id=op_id, key=key))
        banks = {}
        for name, negative in (("known", False), ("benign", True)):
            bank = conn.execute(
                insert(Bank.__table__).values(name=name, negative=negative).returning(Bank.id)
            )
            banks[name] = int(bank.scalar_one())
        entries = [
            int(conn.execute(insert(BankEntry.__table__).values(
                bank_id=banks["known"], signal_type="sha256", value=f"{n:064x}",
                digest=f"{n:064x}").returning(BankEntry.id)).scalar_one())
            for n in range(6)
        ]  # fmt: skip
        _matches(conn, matched, banks["known"], entries[:4])  # four count, capped at three
        _matches(conn, unreported, banks["known"], entries[4:5], suppressed=True)
        _matches(conn, by_key, banks["benign"], entries[5:6])  # a negative bank's: not counted

    db.migrate()

    assert db.current_revision() == head_revision()
    with db.session() as s:
        stored = {
            i: (band, last)
            for i, band, last in s.execute(
                select(Item.id, Item.priority_band, Item.last_reported_at)
            )
        }
        assert stored == {
            two_units: (priority_band(matches=0, watched=False, units=2), T2),
            by_parent: (priority_band(matches=0, watched=True, units=1), T2),
            by_key: (priority_band(matches=0, watched=True, units=1), T1),
            unreported: (priority_band(matches=0, watched=False, units=0), T1),  # its creation
            matched: (priority_band(matches=3, watched=False, units=1), T2),
        }
        assert stored[matched][0] == 33 and stored[two_units][0] == 6
        assert refresh_priority(s, stored) == 0  # the service computes the same, item by item
