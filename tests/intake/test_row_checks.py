"""The one check every report goes through, from a file or the API: dates, characters, lengths.

A report that fails is rejected alone, with a reason naming the field; what the database stores
is always readable again, and a stored value that is not never takes a listing down.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from takedown.interop.tabular import Row
from takedown.services.assessment import triage_queue
from takedown.services.intake_rows import LIMITS, RowChecker, check_time, parse_time
from takedown.services.items import get_item, item_view
from takedown.services.units import principal_for
from takedown.store.bulk import Bulk
from takedown.store.db import Database
from takedown.store.models import UNREADABLE, Operation, Report, Unit

from .conftest import Submit

LATEST = datetime(2026, 12, 1, tzinfo=UTC)


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-27T10:00:00Z", datetime(2026, 11, 27, 10, tzinfo=UTC)),
        ("2026-11-27T10:00:00+02:00", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27 10:00:00", datetime(2026, 11, 27, 10, tzinfo=UTC)),  # no offset: UTC
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
        ("1990-01-01T00:00:00Z", datetime(1990, 1, 1, tzinfo=UTC)),
        ("1990-01-01T01:00:00+01:00", datetime(1990, 1, 1, tzinfo=UTC)),
    ],
)
def test_dates_in_the_window_are_read_as_utc(raw: str, expected: datetime) -> None:
    assert check_time("reported_at", raw, latest=LATEST) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("9999-12-31T23:59:59-14:00", "future"),  # past datetime's range once in UTC
        ("0001-01-01T00:00:00+14:00", "too_early"),  # before datetime's range once in UTC
        ("0005-01-01T00:00:00Z", "too_early"),  # stored unpadded, it broke every listing
        ("0999-12-31T23:59:59Z", "too_early"),
        ("1989-12-31T23:59:59Z", "too_early"),
        ("1990-01-01T00:30:00+01:00", "too_early"),
        ("2026-12-01T00:00:01Z", "future"),
        ("2999-01-01T00:00:00Z", "future"),
        ("yesterday", "invalid"),
        ("10000-01-01T00:00:00Z", "invalid"),
        ("2026-02-30T00:00:00Z", "invalid"),
        ("", "invalid"),
    ],
)
def test_dates_outside_the_window_or_range_are_refused(raw: str, code: str) -> None:
    got = check_time("reported_at", raw, latest=LATEST)
    assert isinstance(got, tuple), got
    assert got[0] == code
    assert got[1].startswith("reported_at ")


def test_parse_time_says_value_error_for_an_overflow() -> None:
    """Callers that catch ValueError (the CLI's own date options) catch the overflow too."""
    for raw in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        with pytest.raises(ValueError):
            parse_time(raw)


def test_an_overflowing_date_rejects_its_row_alone(db: Database, submit: Submit) -> None:
    result = submit(
        {"url": "https://example.org/1", "reported_at": "2026-11-27T10:00:00Z"},
        {"url": "https://example.org/2", "reported_at": "9999-12-31T23:59:59-14:00"},
        {"url": "https://example.org/3", "reported_at": "0001-01-01T00:00:00+14:00"},
        {"url": "https://example.org/4", "reported_at": "0005-01-01T00:00:00Z"},
        {"url": "https://example.org/5"},
    )
    assert (result.accepted, result.rejected) == (2, 3)
    assert [(r.row, r.field, r.code) for r in result.rejections] == [
        (3, "reported_at", "future"),
        (4, "reported_at", "too_early"),
        (5, "reported_at", "too_early"),
    ]
    assert "1990-01-01" in result.rejections[1].reason
    with db.session() as s:
        stored = s.execute(select(Report.url, Report.reported_at).order_by(Report.id)).all()
    assert stored[0] == ("https://example.org/1", datetime(2026, 11, 27, 10, tzinfo=UTC))
    assert stored[1][0] == "https://example.org/5"


def test_a_date_accepted_once_is_accepted_in_a_later_batch(submit: Submit) -> None:
    """The checker remembers parsed dates across batches; the window still holds for each."""
    same = "2026-11-27T10:00:00Z"
    result = submit(
        *({"url": f"https://example.org/{n}", "reported_at": same} for n in range(4)),
        {"url": "https://example.org/x", "reported_at": "1900-01-01T00:00:00Z"},
        {"url": "https://example.org/y", "reported_at": "1900-01-01T00:00:00Z"},
        batch_size=2,
    )
    assert (result.accepted, result.rejected) == (4, 2)


@pytest.mark.sqlite_only  # PostgreSQL takes datetime objects, never text
def test_bulk_writes_sqlite_times_with_four_digit_years(db: Database) -> None:
    with db.session() as s:
        bulk = Bulk(s)
        assert bulk.sqlite
        assert bulk.when(datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC)) == "0005-01-02 03:04:05.000000"
        east = timezone(timedelta(hours=2))
        assert bulk.when(datetime(2026, 1, 1, 1, tzinfo=east)) == "2025-12-31 23:00:00.000000"
        assert bulk.when(datetime(2026, 1, 1, 1)) == "2026-01-01 01:00:00.000000"


@pytest.mark.sqlite_only  # PostgreSQL stores timestamps, never text
def test_stored_times_that_do_not_parse_never_break_a_listing(
    db: Database, op: Operation, unit: Unit, submit: Submit, caplog: pytest.LogCaptureFixture
) -> None:
    """What an older version stored (year 5 as ``5-…``), or anything else, still lists."""
    assert db.is_sqlite
    result = submit(
        {"url": "https://example.org/old"},
        {"url": "https://example.org/garbled"},
        {"url": "https://example.org/fine", "reported_at": "2026-11-27T10:00:00Z"},
    )
    old, garbled, _ = (a.item_id for a in result.items)
    with db.engine.begin() as conn:
        for url, value in (
            ("https://example.org/old", "5-01-01 00:00:00.000000"),
            ("https://example.org/garbled", "not a time"),
        ):
            conn.execute(
                text("UPDATE reports SET reported_at = :v WHERE url = :u"), {"v": value, "u": url}
            )
    who = principal_for(unit, "analyst")
    with caplog.at_level(logging.WARNING, logger="takedown.store"), db.session() as s:
        queue = triage_queue(s, who, s.merge(op))
        by_item = {e.item.id: e.last_reported_at for e in queue}
        assert by_item[old] == datetime(5, 1, 1, tzinfo=UTC)
        assert by_item[garbled] == UNREADABLE
        view = item_view(s, get_item(s, old), who)
        assert view["reports"][0]["reported_at"] == datetime(5, 1, 1, tzinfo=UTC)
        assert item_view(s, get_item(s, garbled), who)["reports"][0]["reported_at"] == UNREADABLE
    assert "not a time" in caplog.text


# -- characters and lengths ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "a\x00b", "nul"),
        ("notes", "\x00", "nul"),
        ("text", "bell\x07", "control"),
        ("notes", "escape \x1b[31m red", "control"),
        ("title", "delete\x7f", "control"),
        ("notes", "c1 \x85 next line", "control"),
        ("language", "d\te", "control"),
        ("group", "a\nb", "control"),
        ("external_id", "x\ry", "control"),
        ("content_type", "video\x0b", "control"),
        ("title", "lone \ud800 surrogate", "encoding"),
        ("external_id", "\udcff", "encoding"),
    ],
)
def test_control_characters_and_broken_text_reject_the_row(
    db: Database, submit: Submit, field: str, value: str, code: str
) -> None:
    result = submit(
        {"url": "https://example.org/ok"}, {"url": "https://example.org/x", field: value}
    )
    assert result.accepted == 1
    assert [(r.row, r.field, r.code) for r in result.rejections] == [(3, field, code)]
    assert field in result.rejections[0].reason
    with db.session() as s:
        assert s.scalars(select(Report.url)).all() == ["https://example.org/ok"]


def test_free_text_keeps_tabs_and_line_breaks(db: Database, submit: Submit) -> None:
    notes = "first line\r\nsecond\tcolumn\nthird"
    result = submit(
        {"url": "https://example.org/1", "notes": notes, "title": "a\tb", "text": "x\ny"}
    )
    assert (result.accepted, result.rejected) == (1, 0)
    with db.session() as s:
        assert s.scalars(select(Report.notes)).one() == notes


def test_printable_unicode_is_text(db: Database, submit: Submit) -> None:
    title = "Ünïcödé — تحذير — 警告 — \u200b zero width — 🙂"
    result = submit({"url": "https://example.org/1", "title": title, "group": "groupe-é"})
    assert (result.accepted, result.rejected) == (1, 0)
    with db.session() as s:
        assert s.scalars(select(Report.title)).one() == title


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("language", 35),
        ("content_type", 64),
        ("group", 200),
        ("external_id", 200),
        ("title", 2000),
        ("reported_at", 64),
        ("evidence_path", 4096),
        ("notes", 100_000),
        ("text", 100_000),
    ],
)
def test_each_field_is_capped_at_its_column_size(
    db: Database, submit: Submit, field: str, limit: int
) -> None:
    assert LIMITS[field] == limit
    at = {"url": "https://example.org/at", field: "x" * limit}
    over = {"url": "https://example.org/over", field: "x" * (limit + 1)}
    result = submit(over, at)
    rejected = [(r.row, r.field, r.code) for r in result.rejections]
    assert (2, field, "too_long") in rejected
    assert f"{limit + 1} characters, limit {limit}" in result.rejections[0].reason
    if field not in ("reported_at", "evidence_path"):  # at their cap, still not a date or a file
        assert result.accepted == 1 and rejected == [(2, field, "too_long")]


def test_an_over_long_url_or_account_is_rejected_not_stored(db: Database, submit: Submit) -> None:
    result = submit(
        {"url": "https://example.org/" + "a" * 8200},
        {"url": "https://rumble.com/c/" + "b" * 600},  # the account would not fit its column
        {"url": "https://rumble.com/c/" + "b" * 500},
    )
    assert [(r.row, r.field, r.code) for r in result.rejections] == [
        (2, "url", "too_long"),
        (3, "url", "too_long"),
    ]
    assert "account" in result.rejections[1].reason
    assert result.accepted == 1


def test_a_checked_row_holds_each_value_at_its_named_position() -> None:
    """One field list (``READY``) names a checked row's positions and the columns intake
    writes: every value lands under its own name."""
    from takedown.services.intake_items import ITEM_COLUMNS, REPORT_COLUMNS
    from takedown.services.intake_rows import ITEM_FIELDS, READY, REPORT_OWN

    fields = {
        "url": "https://mega.nz/file/AbCd1234#Zq3kLmxYwVb7TqPz",
        "title": "the title",
        "text": "the text",
        "language": "de",
        "content_type": "video",
        "group": "the group",
        "notes": "the notes",
        "external_id": "ext-1",
        "reported_at": "2026-11-20T10:00:00Z",
    }
    ready = RowChecker().row(Row(2, fields))
    assert isinstance(ready, tuple) and len(ready) == len(READY)
    got = dict(zip(READY, ready, strict=True))
    for name in ("title", "text", "language", "content_type", "notes", "external_id"):
        assert got[name] == fields[name], name
    assert got["group_name"] == "the group"
    assert (got["url"], got["url_secret"]) == ("https://mega.nz/file/AbCd1234", "Zq3kLmxYwVb7TqPz")
    assert (got["platform"], got["kind"], got["row"]) == ("mega", "file", 2)
    assert got["key"] == "mega:file:AbCd1234" and got["evidence"] is None
    assert got["reported_at"] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert set(ITEM_FIELDS) <= set(ITEM_COLUMNS) and set(REPORT_OWN) <= set(REPORT_COLUMNS)
    assert set(REPORT_OWN) | set(ITEM_FIELDS) | {"row", "dedupe_key", "key", "evidence",
                                                  "reported_at"} == set(READY)  # fmt: skip
