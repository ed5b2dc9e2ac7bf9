"""submit_reports: reports in, deduplicated items out, every report kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from takedown.reports.stats import operation_stats
from takedown.services.intake_rows import dedupe_key
from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import AuditEvent, Item, Operation, Report, Unit


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_same_canonical_key_merges_into_one_item_keeping_every_report(
    db: Database, submit, unit: Unit
) -> None:
    result = submit(
        {"url": "https://example.org/page/1", "title": "first", "notes": "seen on a forum"},
        {"url": "https://EXAMPLE.org/page/1#top", "title": "second",
         "reported_at": "2026-11-27T10:00:00Z"},
        {"url": "https://example.org/page/2"},
    )  # fmt: skip
    assert (result.accepted, result.new_items, result.merged) == (3, 2, 1)
    assert result.items[0].item_id == result.items[1].item_id != result.items[2].item_id
    assert [a.new_item for a in result.items] == [True, False, True]
    with db.session() as s:
        reports = s.scalars(select(Report).order_by(Report.id)).all()
        assert len(reports) == 3
        assert {r.unit_id for r in reports} == {unit.id}
        assert [r.title for r in reports] == ["first", "second", None]
        assert reports[0].notes == "seen on a forum"
        assert reports[1].url == "https://EXAMPLE.org/page/1#top"  # kept as reported
        when = reports[1].reported_at
        assert when.replace(tzinfo=when.tzinfo or UTC) == datetime(2026, 11, 27, 10, tzinfo=UTC)
        assert reports[0].reported_at is not None and reports[0].received_at is not None
    assert _count(db, Item) == 2


def test_telegram_variants_are_one_item(submit) -> None:
    result = submit(
        {"url": "https://t.me/foo/12"},
        {"url": "https://telegram.me/s/FOO/12?utm_source=x"},
        {"url": "https://t.me/foo/13"},
    )
    assert result.items[0].item_id == result.items[1].item_id
    assert result.items[2].item_id != result.items[0].item_id
    assert (result.new_items, result.merged) == (2, 1)


def test_merge_across_batches(db: Database, submit) -> None:
    first = submit({"url": "https://example.org/page/1", "title": "a"})
    second = submit({"url": "https://example.org/page/1?utm_source=feed", "title": "b"})
    assert (second.accepted, second.new_items, second.merged) == (1, 0, 1)
    assert second.items[0].item_id == first.items[0].item_id
    assert _count(db, Report) == 2


def test_same_rows_twice_add_nothing(db: Database, submit) -> None:
    batch = [{"url": f"https://example.org/page/{n}", "title": f"t{n}"} for n in range(20)]
    submit(*batch)
    again = submit(*batch)
    assert (again.accepted, again.duplicates, again.new_items, again.merged) == (0, 20, 0, 0)
    assert _count(db, Report) == 20
    assert _count(db, Item) == 20


def test_same_external_id_twice_adds_nothing_even_with_other_content(db: Database, submit) -> None:
    submit({"url": "https://example.org/page/1", "external_id": "DE-0001"})
    again = submit({"url": "https://example.org/page/2", "external_id": "DE-0001", "title": "x"})
    assert (again.accepted, again.duplicates) == (0, 1)
    assert _count(db, Report) == 1
    assert _count(db, Item) == 1


def test_repeat_inside_one_batch_is_a_duplicate(db: Database, submit) -> None:
    result = submit({"url": "https://example.org/a"}, {"url": "https://example.org/a"})
    assert (result.accepted, result.duplicates) == (1, 1)
    assert _count(db, Report) == 1


def test_same_external_id_from_two_units_is_two_reports(
    db: Database, submit, other_unit: Unit
) -> None:
    submit({"url": "https://example.org/a", "external_id": "1"})
    second = submit({"url": "https://example.org/a", "external_id": "1"}, by=other_unit)
    assert (second.accepted, second.merged, second.duplicates) == (1, 1, 0)


def test_two_units_same_url_one_item_two_reports(
    db: Database, submit, op: Operation, unit: Unit, other_unit: Unit
) -> None:
    submit({"url": "https://example.org/page/7"})
    submit({"url": "https://example.org/page/7"}, by=other_unit)
    submit({"url": "https://example.org/page/8"}, by=other_unit)
    with db.session() as s:
        stats = operation_stats(s, op)
    assert stats["reports"] == 3
    assert stats["items"] == 2
    assert stats["merged"] == 1
    assert stats["multi_unit_items"] == 1
    assert stats["by_unit"] == {
        "DE-IRU": {"reports": 1, "items": 1},
        "FR-IRU": {"reports": 2, "items": 2},
    }
    assert stats["by_state"] == {"new": 2}
    assert sum(stats["by_platform"].values()) == 2
    assert sum(stats["by_kind"].values()) == 2
    assert set(stats["definitions"]) >= {"reports", "items", "merged"}


def test_stats_are_per_operation(db: Database, submit) -> None:
    from takedown.services import operations

    submit({"url": "https://example.org/a"})
    with db.session() as s:
        other = operations.create_operation(s, "Other", actor="test")
    with db.session() as s:
        stats = operation_stats(s, other)
    assert (stats["reports"], stats["items"]) == (0, 0)


def test_a_bad_row_never_drops_its_neighbours(db: Database, submit) -> None:
    result = submit(
        {"url": "https://example.org/1"},
        {"url": "https://"},
        {"url": "https://example.org/3", "reported_at": "yesterday"},
        {"title": "no url"},
        {"url": "https://example.org/5", "language": "x" * 36},
        {"url": "https://example.org/6", "reported_at": "2099-01-01T00:00:00Z"},
        {"url": "https://example.org/7"},
    )
    assert result.accepted == 2
    assert result.rejected == 5
    got = {(r.row, r.field) for r in result.rejections}
    assert got == {(3, "url"), (4, "reported_at"), (5, "url"), (6, "language"),
                   (7, "reported_at")}  # fmt: skip
    assert all(r.reason for r in result.rejections)
    assert [a.row for a in result.items] == [2, 8]
    assert result.rejected_by_reason["url: missing"] == 1
    with db.session() as s:
        assert set(s.scalars(select(Report.url))) == {"https://example.org/1",
                                                      "https://example.org/7"}  # fmt: skip


def test_rejection_reason_names_the_problem(submit) -> None:
    result = submit(
        {"url": "https://example.org/3", "reported_at": "yesterday"},
        {"url": "https://example.org/4", "title": "x" * 2001},
    )
    by_row = {r.row: r for r in result.rejections}
    assert "yesterday" in by_row[2].reason and "ISO 8601" in by_row[2].reason
    assert "2001" in by_row[3].reason and "2000" in by_row[3].reason


def test_a_formula_is_stored_as_text(db: Database, submit) -> None:
    submit({"url": "https://example.org/f", "title": "=cmd|' /C calc'!A0", "notes": "@SUM(1)"})
    with db.session() as s:
        report = s.scalars(select(Report)).one()
    assert report.title == "=cmd|' /C calc'!A0"
    assert report.notes == "@SUM(1)"


def test_each_batch_appends_one_chained_event(db: Database, submit) -> None:
    before = _count(db, AuditEvent)
    submit(*[{"url": f"https://example.org/p/{n}"} for n in range(10)], batch_size=4)
    with db.session() as s:
        actions = list(s.scalars(
            select(AuditEvent.action).order_by(AuditEvent.id).offset(before)))  # fmt: skip
        assert actions == ["reports.submit"] * 3
        assert audit.verify_chain(s).ok


def test_all_duplicates_write_no_event(db: Database, submit) -> None:
    submit({"url": "https://example.org/a"})
    before = _count(db, AuditEvent)
    submit({"url": "https://example.org/a"})
    assert _count(db, AuditEvent) == before


def test_dedupe_key_prefers_external_id() -> None:
    assert dedupe_key({"url": "https://a.example/", "external_id": "X1"}) == dedupe_key(
        {"url": "https://b.example/", "external_id": "X1"}
    )
    assert dedupe_key({"url": "https://a.example/", "title": "1"}) != dedupe_key(
        {"url": "https://a.example/", "title": "2"}
    )


@pytest.mark.parametrize(
    "value",
    [
        (),
        ("telegram:account:chan1",),
        ("x:account:a", "web:site:example.org"),
        ('say "hi"',),
        ("back\\slash",),
        ("café",),
        ("tab\there", "unit\x1fsep"),
        ("del\x7f",),
        (" !#[]~", "a,b"),
    ],
)
def test_parents_and_flags_json_is_exactly_what_json_dumps_writes(value: tuple[str, ...]) -> None:
    """Item rows stored by earlier versions hold json.dumps' text; the quick path must match."""
    import json

    from takedown.services.intake_rows import _json

    assert _json(value) == json.dumps(list(value), separators=(",", ":"))
