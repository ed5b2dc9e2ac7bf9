"""Intake keeps the triage queue's stored order: a report sets or raises its item's band and
moves its last report time, in the transaction that stores it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from takedown.domain.priority import UNIT_POINTS
from takedown.services.intake import import_file
from takedown.store.db import Database
from takedown.store.models import Item, Operation, Unit


def _order(db: Database) -> dict[str, tuple[int, datetime]]:
    with db.session() as s:
        rows = s.execute(select(Item.key, Item.priority_band, Item.last_reported_at)).all()
    return {key: (band, last.replace(tzinfo=last.tzinfo or UTC)) for key, band, last in rows}


def test_a_new_item_and_a_merged_report_set_the_band_and_time(
    db: Database, submit, unit: Unit, other_unit: Unit
) -> None:
    submit(
        {"url": "https://t.me/prio/1", "reported_at": "2026-11-20T10:00:00Z"},
        {"url": "https://t.me/prio/2", "reported_at": "2026-11-20T11:00:00Z"},
        {"url": "https://t.me/s/prio/2", "reported_at": "2026-11-20T12:00:00Z"},
    )
    first = _order(db)
    assert first["telegram:post:prio/1"] == (UNIT_POINTS, datetime(2026, 11, 20, 10, tzinfo=UTC))
    # two reports of one unit: one unit, the later time
    assert first["telegram:post:prio/2"] == (UNIT_POINTS, datetime(2026, 11, 20, 12, tzinfo=UTC))
    submit(
        {"url": "https://telegram.me/prio/1", "reported_at": "2026-11-21T09:00:00Z"}, by=other_unit
    )
    after = _order(db)
    assert after["telegram:post:prio/1"] == (
        2 * UNIT_POINTS,
        datetime(2026, 11, 21, 9, tzinfo=UTC),
    )
    assert after["telegram:post:prio/2"] == first["telegram:post:prio/2"]


def test_a_file_import_through_the_helper_process_keeps_the_order_too(
    db: Database, op: Operation, unit: Unit, other_unit: Unit, tmp_path: Path
) -> None:
    for who, hour in ((unit, 8), (other_unit, 9)):
        path = tmp_path / f"{who.name}.csv"
        lines = ["url,reported_at"]
        lines += [f"https://t.me/bulk/{n},2026-11-20T{hour:02d}:00:00Z" for n in range(30)]
        if who is unit:
            lines += [f"https://t.me/only_de/{n},2026-11-20T08:30:00Z" for n in range(10)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_file(
            db,
            op.name,
            who.name,
            path,
            actor="test",
            max_bytes=10**6,
            batch_size=7,
            evidence_root=tmp_path / "stored",
            evidence_max_bytes=10**6,
            pipeline_from_bytes=0,  # the helper process checks the rows
        )
    order = _order(db)
    assert {order[f"telegram:post:bulk/{n}"] for n in range(30)} == {
        (2 * UNIT_POINTS, datetime(2026, 11, 20, 9, tzinfo=UTC))
    }
    assert {order[f"telegram:post:only_de/{n}"] for n in range(10)} == {
        (UNIT_POINTS, datetime(2026, 11, 20, 8, 30, tzinfo=UTC))
    }


def test_intake_gives_the_order_the_priority_service_would(
    db: Database, submit, op: Operation, unit: Unit, other_unit: Unit
) -> None:
    """Intake's set-based refresh and ``services.priority.refresh_priority`` agree, watched
    sources included: recomputing every item afterwards changes nothing."""
    from takedown.domain.priority import WATCHED_POINTS
    from takedown.services.assessment import add_watch
    from takedown.services.priority import refresh_priority
    from takedown.services.units import principal_for

    with db.session() as s:
        operation = s.get(Operation, op.id)
        assert operation is not None
        add_watch(
            s, principal_for(unit, "senior_assessor"), operation, "https://t.me/watched_channel"
        )
    submit({"url": "https://t.me/watched_channel/7"}, {"url": "https://t.me/other/7"})
    submit({"url": "https://t.me/watched_channel/7"}, by=other_unit)
    order = _order(db)
    assert order["telegram:post:watched_channel/7"][0] == WATCHED_POINTS + 2 * UNIT_POINTS
    assert order["telegram:post:other/7"][0] == UNIT_POINTS
    with db.session() as s:
        assert refresh_priority(s, s.scalars(select(Item.id)).all()) == 0
