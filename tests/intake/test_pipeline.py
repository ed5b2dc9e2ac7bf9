"""A file checked in a helper process imports exactly what the one-process import does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from takedown.errors import UserError
from takedown.services import intake, intake_write, operations
from takedown.services.intake import ImportOutcome, import_file
from takedown.services.intake_pipeline import FileJob
from takedown.store import audit
from takedown.store.audit_rows import AuditPayload
from takedown.store.audit_verify import verify_rows
from takedown.store.db import Database
from takedown.store.models import AuditEvent, Evidence, Item, Operation, Report, Unit

ALWAYS, NEVER = 0, 1 << 62


def _import(db: Database, op: str, path: Path, pipeline_from: int, **kw: Any) -> ImportOutcome:
    return import_file(
        db,
        op,
        "DE-IRU",
        path,
        actor="test",
        max_bytes=10**9,
        batch_size=kw.pop("batch_size", 7),
        evidence_root=path.parent / "stored",
        evidence_max_bytes=10**6,
        pipeline_from_bytes=pipeline_from,
        **kw,
    )


def _content(db: Database, op_name: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with db.session() as s:
        op_id = s.scalar(select(Operation.id).where(Operation.name == op_name))
        items = s.execute(
            select(Item.key, Item.url, Item.platform, Item.kind, Item.account, Item.parents)
            .where(Item.operation_id == op_id)
            .order_by(Item.id)
        ).all()
        reports = s.execute(
            select(Report.dedupe_key, Report.url, Report.title, Report.external_id, Item.key)
            .join(Item, Item.id == Report.item_id)
            .where(Report.operation_id == op_id)
            .order_by(Report.id)
        ).all()
    return [tuple(r) for r in items], [tuple(r) for r in reports]


@pytest.fixture
def ops(db: Database, unit: Unit) -> list[str]:
    with db.session() as s:
        for name in ("one-process", "pipeline"):
            operations.create_operation(s, name, actor="test")
    return ["one-process", "pipeline"]


def _mixed_csv(path: Path) -> Path:
    (path.parent / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    lines = ["url,title,external_id,reported_at,evidence_path,colour"]
    for i in range(40):
        lines.append(
            f"https://t.me/chan{i % 6}/{i % 9},title {i},e{i % 30},2026-11-20T10:00:00Z,,red"
        )
    lines += [
        "not a url at all,bad,,,,",
        "https://x.com/a/status/1,future,,2999-01-01T00:00:00Z,,",
        "https://x.com/a/status/2,bad date,,yesterday,,",
        "https://x.com/a/status/3,with evidence,ev1,,shot.png,",
        "https://x.com/a/status/4,missing evidence,,,nope.png,",
        "\"=cmd|'/c calc'!A1\",formula,,,,",
        "https://youtu.be/dQw4w9WgXcQ,video,,,,",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share,same video,,,,",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_pipeline_and_one_process_store_the_same(
    db: Database, ops: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    helper_runs: list[Path] = []
    real = intake.Helper

    def spy(job: FileJob) -> intake.Helper:
        helper_runs.append(job.path)
        return real(job)

    monkeypatch.setattr(intake, "Helper", spy)
    source = _mixed_csv(tmp_path / "mixed.csv")
    one = _import(db, "one-process", source, NEVER, rejects_path=tmp_path / "one.jsonl")
    assert helper_runs == []
    two = _import(db, "pipeline", source, ALWAYS, rejects_path=tmp_path / "two.jsonl")
    assert helper_runs == [source]

    a, b = one.summary(), two.summary()
    for s in (a, b):
        s.pop("operation")
        s.pop("rejects_file")
    assert a == b
    assert a["rejected"] == 5 and a["accepted"] > 0 and a["duplicates"] == 10
    assert a["ignored_fields"] == ["colour"]
    assert _content(db, "one-process") == _content(db, "pipeline")
    rejected = (tmp_path / "one.jsonl").read_text()
    assert rejected == (tmp_path / "two.jsonl").read_text()
    assert [json.loads(line)["row"] for line in rejected.splitlines()] == [42, 43, 44, 46, 47]
    with db.session() as s:
        assert len(s.scalars(select(Evidence)).all()) == 2  # one per operation
        assert audit.verify_chain(s).ok


def test_pipeline_import_again_adds_nothing(db: Database, ops: list[str], tmp_path: Path) -> None:
    source = _mixed_csv(tmp_path / "mixed.csv")
    first = _import(db, "pipeline", source, ALWAYS).result
    again = _import(db, "pipeline", source, ALWAYS).result
    assert again.accepted == 0 and again.new_items == 0
    assert again.duplicates == first.accepted + first.duplicates


def test_jsonl_unknown_fields_found_mid_file_are_reported(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "r.jsonl"
    lines = [{"url": f"https://example.org/{i}"} for i in range(20)]
    lines[15]["shoe_size"] = "44"
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = _import(db, "pipeline", source, ALWAYS, batch_size=5)
    assert out.result.accepted == 20
    assert out.result.ignored_fields == {"shoe_size"}


def test_bytes_that_are_not_text_mid_file_keep_the_batches_before(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "r.csv"
    good = "url\n" + "".join(f"https://example.org/{i}\n" for i in range(30))
    source.write_bytes(good.encode("utf-16") + b"\x00")  # odd length: truncated UTF-16
    with pytest.raises(UserError, match="not valid utf-16"):
        _import(db, "pipeline", source, ALWAYS, batch_size=10)
    with db.session() as s:
        assert len(s.scalars(select(Report)).all()) == 30


def test_a_nul_the_helper_meets_rejects_only_its_row(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    """The importer finds the file holds a NUL and tells the helper, which reads the rows past
    the importer's first ones the careful way too."""
    source = tmp_path / "r.csv"
    lines = [f"https://example.org/{i},t{i}".encode() for i in range(30)]
    lines[20] = b"https://example.org/20,a\x00b"
    source.write_bytes(b"url,title\n" + b"\n".join(lines) + b"\n")
    for op, pipeline_from in (("one-process", NEVER), ("pipeline", ALWAYS)):
        result = _import(db, op, source, pipeline_from).result
        assert (result.accepted, result.rejected) == (29, 1)
        assert result.rejected_by_reason == {"title: nul": 1}
    assert _content(db, "one-process") == _content(db, "pipeline")


def test_the_cycle_collector_runs_again_after_an_import_even_a_failed_one(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    """An import pauses the collector while it writes (collector_paused), and never leaves it
    paused: not after success, not after an error; and one paused before stays paused."""
    import gc

    seen: list[bool] = []
    good = _mixed_csv(tmp_path / "mixed.csv")
    _import(db, "pipeline", good, ALWAYS, progress=lambda *_: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()
    bad = tmp_path / "r.csv"
    bad.write_bytes("url\nhttps://example.org/1\n".encode("utf-16") + b"\x00")
    with pytest.raises(UserError):
        _import(db, "one-process", bad, NEVER)
    assert gc.isenabled()
    gc.disable()
    try:
        _import(db, "one-process", good, NEVER)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_progress_reports_bytes_from_the_helper(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    source = _mixed_csv(tmp_path / "mixed.csv")
    seen: list[tuple[int, int]] = []
    _import(
        db, "pipeline", source, ALWAYS, progress=lambda done, size, _: seen.append((done, size))
    )
    assert len(seen) == 7  # 48 rows in batches of 7
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_small_helper_batches_make_one_transaction_and_one_audit_event(
    db: Database, ops: list[str], tmp_path: Path
) -> None:
    """4,500 rows in one 4,500-row batch: the helper sends three messages of 1,500; repeats
    span the messages, and each import writes one audit event for its one transaction."""
    source = tmp_path / "big.csv"
    lines = ["url,external_id"]
    for i in range(4500):
        lines.append(f"https://t.me/chan{i % 7}/{i % 2000},e{i % 3000}")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _import(db, "one-process", source, NEVER, batch_size=4500).result
    two = _import(db, "pipeline", source, ALWAYS, batch_size=4500).result
    assert (two.accepted, two.new_items, two.duplicates) == (
        one.accepted,
        one.new_items,
        one.duplicates,
    )
    assert (one.accepted, one.duplicates) == (3000, 1500)
    assert _content(db, "one-process") == _content(db, "pipeline")
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "reports.submit")).all()
        assert len(events) == 2
        assert audit.verify_chain(s).ok


def test_items_stored_after_the_helper_looked_are_found_not_created_twice(
    db: Database, op: Operation, unit: Unit
) -> None:
    """The helper's answer can be stale: an item stored after it looked (by this import, or
    another) is missing from it. Such a key is tried as new, turns out to exist, and the
    report joins the stored item."""
    from takedown.interop.tabular import Row
    from takedown.services.intake_rows import RowChecker

    first = intake.submit_reports(
        db, op, unit, [Row(2, {"url": "https://t.me/chan/1"})], actor="test", source="api"
    )
    assert first.new_items == 1
    checked = RowChecker().batch(
        [
            Row(2, {"url": "https://t.me/chan/1?utm_source=x"}),
            Row(3, {"url": "https://t.me/chan/2"}),
        ]
    )
    stale: dict[str, int] = {}  # the helper found neither key
    result = intake_write.store_batches(
        db, op, unit, [(checked, stale)], "test", "import", True, None, None
    )
    assert (result.accepted, result.new_items, result.merged) == (2, 1, 1)
    with db.session() as s:
        keys = s.execute(select(Item.key, Item.id).order_by(Item.id)).all()
        assert [k for k, _ in keys] == ["telegram:post:chan/1", "telegram:post:chan/2"]
        by_url = dict(s.execute(select(Report.url, Report.item_id)).all())
    assert by_url["https://t.me/chan/1?utm_source=x"] == keys[0][1]
    assert by_url["https://t.me/chan/2"] == keys[1][1]
    assert [a.item_id for a in result.items] == [keys[0][1], keys[1][1]]


@pytest.mark.parametrize("pipeline_from", [NEVER, ALWAYS])
def test_batch_events_commit_to_the_items_as_stored(
    db: Database, ops: list[str], tmp_path: Path, pipeline_from: int
) -> None:
    """Intake digests the items it creates from the rows as written, not read back: each
    batch event's root is the root of the stored rows, and ``verify_rows`` finds them all."""
    source = _mixed_csv(tmp_path / "mixed.csv")
    _import(db, "pipeline", source, pipeline_from)
    more = tmp_path / "more.csv"  # a second import: some items exist, some are new
    more.write_text(
        "url,title,parents_hint\n"
        + "".join(f"https://t.me/chan{i % 8}/{i % 11},again {i},x\n" for i in range(30))
        + "https://web.archive.org/web/2020/https://t.me/chan1/1,archived,\n"
        + "https://mega.nz/file/AbCd1234#Zq3kLmxYwVb7TqPz,secret,\n",
        encoding="utf-8",
    )
    _import(db, "pipeline", more, pipeline_from)
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "reports.submit")).all()
        payloads = [json.loads(s.get_one(AuditPayload, e.id).payload) for e in events]
        batches = [p["batch"] for p in payloads if p.get("batch")]
        assert len(batches) >= 3
        for batch in batches:
            ids = [i for lo, hi in batch["ids"] for i in range(lo, hi + 1)]
            assert audit.batch_of(s, "items", ids).as_dict() == batch
        assert sum(b["count"] for b in batches) == s.scalar(select(func.count(Item.id)))
        assert verify_rows(s).ok
