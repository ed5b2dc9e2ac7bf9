"""Row digests: a business row edited behind the audit chain's back is found and named."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from takedown.checker import CheckResult
from takedown.checker.model import Evidence, Verdict
from takedown.config import Settings
from takedown.delivery import outbox
from takedown.services import deconfliction, referrals, responses, units, verification
from takedown.store import audit
from takedown.store.audit_rows import (
    AuditPayload,
    AuditRow,
    merkle_root,
    row_digest,
    row_leaf,
)
from takedown.store.audit_verify import RowsReport, adopt_rows, verify_rows
from takedown.store.db import Database
from takedown.store.models import AuditEvent, Item
from takedown.store.referrals import Delivery, Response

# The workflow tests' world: units, tokens and helpers that move items (tests/workflow).
_spec = importlib.util.spec_from_file_location(
    "workflow_world", Path(__file__).parents[1] / "workflow" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_world = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(_world)
World = _world.World
world = _world.world
ready_items = _world.ready_items

Ready = Callable[..., list[int]]
ANNEX_I = {"grounds": "a,d", "reasons": "instructions for an attack", "redress": "VG Berlin"}


def _rows(db: Database) -> RowsReport:
    with db.reading() as s:
        return verify_rows(s)


def _edit(db: Database, sql: str, **params: Any) -> None:
    """What someone with the database's password can do."""
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _check_result(url: str, verdict: str, at: datetime) -> CheckResult:
    return CheckResult(
        url=url,
        verdict=Verdict(verdict),
        reason=f"test: {verdict}",
        status=404 if verdict == "removed" else 200,
        final_url=url,
        evidence=Evidence(final_url=url, body_sha256="ab" * 32, body_bytes=12),
        checked_at=at,
    )


class Flow:
    """A realistic day: reports, assessments, a hold, a referral delivered by email and
    answered, a removal order answered, and checks."""

    def __init__(self, world: Any, ready_items: Ready, settings: Settings) -> None:
        self.world = world
        db = world.db
        with db.session() as s:
            tg = units.get_unit(s, "TG")
            units.configure_delivery(s, tg, actor="test", email="abuse@tg.example")
        a, b, c = ready_items(
            ["https://t.me/rows_a/1", "https://t.me/rows_a/2", "https://t.me/rows_a/3"]
        )
        (self.reported,) = world.report("fr_analyst", ["https://t.me/rows_b/9"])  # only reported
        (held,) = world.report("fr_analyst", ["https://t.me/rows_held/1"])
        with db.session() as s:
            hold = deconfliction.place_hold(
                s,
                world.who["fr_analyst"],
                "https://t.me/rows_held/1",
                reason="under investigation",
                until=datetime.now(UTC) + timedelta(days=3),
            )
            self.hold = hold.id
        with db.session() as s:
            order = referrals.issue_removal_order(s, world.who["de_senior"], c, **ANNEX_I)
            self.order = order.id
        with db.session() as s:
            referral = referrals.refer_items(
                s, world.who["de_analyst"], world.operation(s), "telegram"
            )
            assert referral is not None
            self.referral = referral.id
        with db.session() as s:  # the outbox: a Core UPDATE claims each, the ORM records it
            due = list(s.scalars(select(Delivery.id)))
        assert due
        for delivery_id in due:
            sent = outbox.deliver(db, delivery_id, settings, rng=random.Random(1))
            assert sent.status == "delivered"
        with db.session() as s:
            responses.acknowledge_referral(s, world.who["tg_agent"], self.referral)
            responses.answer_referral(
                s,
                world.who["tg_agent"],
                self.referral,
                [
                    {"item_id": a, "action": "removed"},
                    {"item_id": b, "action": "declined", "reason": "news reporting"},
                ],
            )
        with db.session() as s:
            responses.answer_order(s, world.who["tg_agent"], self.order, {"action": "removed"})
        later = datetime.now(UTC) + timedelta(seconds=1)
        with db.session() as s:
            item = s.get(Item, a)
            assert item is not None
            check = verification.record_check(
                s, item, _check_result("https://t.me/rows_a/1", "removed", later), actor="test"
            )
            self.check = check.id
        self.items = (a, b, c)
        self.held = held
        assert world.state(a) == "verified_removed"


@pytest.fixture
def flow(world: Any, ready_items: Ready, tmp_path: Path, db_url: str) -> Flow:
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, delivery_backend="console")
    return Flow(world, ready_items, settings)


def test_an_untouched_database_matches_the_chain(flow: Flow) -> None:
    db = flow.world.db
    report = _rows(db)
    assert report.ok, [str(p) for p in report.problems]
    assert report.rows >= 19
    assert report.batches >= 3  # the intake batches, one per report call
    with db.session() as s:
        assert audit.verify_chain(s).ok
        tables = set(s.scalars(select(AuditRow.table_name).distinct()))
    assert {"items", "assessments", "holds", "referrals", "referral_items", "removal_orders",
            "responses", "checks", "deliveries"} <= tables  # fmt: skip


def _only(report: RowsReport) -> Any:
    assert not report.ok
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    return report.problems[0]


def test_an_items_state_edited_with_raw_sql_is_found(flow: Flow) -> None:
    a = flow.items[0]
    _edit(flow.world.db, "UPDATE items SET state = 'still_online' WHERE id = :id", id=a)
    problem = _only(_rows(flow.world.db))
    assert (problem.table, problem.row_id, problem.columns) == ("items", a, ("state",))
    assert "changed after event" in problem.problem


def test_a_responses_action_edited_is_found(flow: Flow) -> None:
    db = flow.world.db
    with db.session() as s:
        declined = s.scalar(select(Response.id).where(Response.action == "declined"))
    _edit(db, "UPDATE responses SET action = 'removed' WHERE id = :id", id=declined)
    problem = _only(_rows(db))
    assert (problem.table, problem.row_id, problem.columns) == ("responses", declined, ("action",))


def test_an_orders_grounds_edited_is_found(flow: Flow) -> None:
    db = flow.world.db
    _edit(db, """UPDATE removal_orders SET grounds = '["a"]' WHERE id = :id""", id=flow.order)
    problem = _only(_rows(db))
    assert (problem.table, problem.row_id, problem.columns) == (
        "removal_orders",
        flow.order,
        ("grounds",),
    )


def test_a_checks_verdict_edited_is_found(flow: Flow) -> None:
    db = flow.world.db
    _edit(db, "UPDATE checks SET verdict = 'online' WHERE id = :id", id=flow.check)
    problem = _only(_rows(db))
    assert (problem.table, problem.row_id, problem.columns) == ("checks", flow.check, ("verdict",))


def test_several_edits_are_each_named(flow: Flow) -> None:
    db = flow.world.db
    _edit(db, "UPDATE holds SET reason = 'x' WHERE id = :id", id=flow.hold)
    _edit(db, "UPDATE assessments SET verdict = 'exempt' WHERE item_id = :id", id=flow.items[1])
    _edit(db, "DELETE FROM checks WHERE id = :id", id=flow.check)
    report = _rows(db)
    found = {(p.table, p.row_id) for p in report.problems}
    assert ("holds", flow.hold) in found
    assert ("checks", flow.check) in found
    assert any(t == "assessments" for t, _ in found)
    deleted = next(p for p in report.problems if p.table == "checks")
    assert "deleted after event" in deleted.problem


def test_a_row_only_a_batch_wrote_is_found_through_its_batch(flow: Flow) -> None:
    db = flow.world.db
    _edit(db, "UPDATE items SET url = 'https://t.me/other/1' WHERE id = :id", id=flow.reported)
    problem = _only(_rows(db))
    assert problem.table == "items" and problem.row_id is None
    assert "batch event" in problem.problem and "Merkle root" in problem.problem
    with db.session() as s:
        ev = s.get(AuditEvent, problem.event_id)
        assert ev is not None and ev.action == "reports.submit"


def test_a_row_a_batch_wrote_then_deleted_is_named(flow: Flow) -> None:
    db = flow.world.db
    _edit(db, "DELETE FROM reports WHERE item_id = :id", id=flow.reported)  # all it has
    _edit(db, "DELETE FROM items WHERE id = :id", id=flow.reported)
    problem = _only(_rows(db))
    assert f"[{flow.reported}]" in problem.problem and "missing" in problem.problem


def test_an_edit_later_overwritten_by_a_real_write_is_still_found(flow: Flow) -> None:
    db = flow.world.db
    a = flow.items[0]
    _edit(db, "UPDATE items SET platform = 'youtube' WHERE id = :id", id=a)
    with db.session() as s:  # a later, audited write
        item = s.get(Item, a)
        assert item is not None
        verification.record_check(
            s,
            item,
            _check_result("https://t.me/rows_a/1", "removed", datetime.now(UTC)),
            actor="test",
        )
        from takedown.services.items import change_state

        change_state(s, item, "reinstated", actor="test", why="seen again")
    report = _rows(db)
    found = [p for p in report.problems if p.table == "items"]
    assert len(found) == 1 and found[0].row_id == a
    assert "changed between events" in found[0].problem


def test_an_edited_row_digest_breaks_its_events_root(flow: Flow) -> None:
    db = flow.world.db
    with db.session() as s:
        leaf = s.scalars(select(AuditRow).where(AuditRow.table_name == "responses")).first()
        assert leaf is not None
        leaf_id, event_id = leaf.id, leaf.event_id
    _edit(db, "UPDATE audit_rows SET digest = :d WHERE id = :id", d="f" * 64, id=leaf_id)
    report = _rows(db)
    events = [p for p in report.problems if p.table == "audit_rows"]
    assert [p.event_id for p in events] == [event_id]


def test_an_edited_payload_breaks_the_chain(flow: Flow) -> None:
    db = flow.world.db
    with db.session() as s:
        event_id = s.scalar(select(func.max(AuditPayload.event_id)))
    _edit(db, "UPDATE audit_payloads SET payload = '{}' WHERE event_id = :id", id=event_id)
    with db.session() as s:
        report = audit.verify_chain(s)
    assert (report.ok, report.broken_at) == (False, event_id)
    assert report.problem == "payload does not match the event's digest"


def test_a_write_after_the_last_event_joins_that_event(world: Any, ready_items: Ready) -> None:
    (a,) = ready_items(["https://t.me/late/1"])
    with world.db.session() as s:
        audit.record(s, actor="test", action="item.note", object_type="item", object_id=a,
                     change={})  # fmt: skip
        item = s.get(Item, a)
        assert item is not None
        item.updated_at = datetime.now(UTC) + timedelta(minutes=1)  # written after the event
    assert _rows(world.db).ok


def test_a_core_update_is_covered_by_its_event_and_found_without_one(
    world: Any, ready_items: Ready
) -> None:
    (a,) = ready_items(["https://t.me/core/1"])
    with world.db.session() as s:
        s.execute(update(Item).where(Item.id == a).values(state="exempt"))
        audit.record(s, actor="test", action="item.state", object_type="item", object_id=a,
                     change={"to": "exempt"})  # fmt: skip
    assert _rows(world.db).ok
    with world.db.session() as s:  # an UPDATE by primary key, as the ORM's bulk form
        s.execute(update(Item), [{"id": a, "flags": ["checked"]}])
        audit.record(s, actor="test", action="item.flag", object_type="item", object_id=a,
                     change={"flags": ["checked"]})  # fmt: skip
    assert _rows(world.db).ok
    with world.db.session() as s:  # the guard sees no ORM write: the check finds it
        s.execute(update(Item).where(Item.id == a).values(state="ready"))
    problem = _only(_rows(world.db))
    assert (problem.table, problem.row_id, problem.columns) == ("items", a, ("state",))


def test_a_rolled_back_savepoint_leaves_no_digest(world: Any, ready_items: Ready) -> None:
    (a,) = ready_items(["https://t.me/savepoint/1"])
    with world.db.session() as s:
        try:
            with s.begin_nested():
                item = s.get(Item, a)
                assert item is not None
                item.state = "exempt"
                s.flush()
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
        audit.record(s, actor="test", action="item.note", object_type="item", object_id=a,
                     change={})  # fmt: skip
    assert world.state(a) == "ready"
    assert _rows(world.db).ok


def test_rows_stored_before_digests_are_adopted_once(world: Any, ready_items: Ready) -> None:
    (a,) = ready_items(["https://t.me/old/1"])
    db = world.db  # as a database from before row digests would hold them:
    _edit(db, "DELETE FROM audit_rows")
    _edit(db, "DELETE FROM audit_payloads")
    report = _rows(db)
    assert not report.ok and any(p.problem == "no event recorded this row" for p in report.problems)
    with db.session() as s:
        adopted = adopt_rows(s, actor="test")
    assert adopted["items"] == 1 and adopted["assessments"] == 1
    assert _rows(db).ok
    with db.session() as s:
        assert adopt_rows(s, actor="test") == {}
        assert audit.verify_chain(s).ok
    _edit(db, "UPDATE items SET state = 'new' WHERE id = :id", id=a)
    assert not _rows(db).ok


def test_a_batch_from_rows_in_memory_is_the_batch_read_back(world: Any) -> None:
    ids = world.report("de_analyst", [f"https://t.me/mem/{n}" for n in range(1, 8)])
    with world.db.session() as s:
        items = s.scalars(select(Item).where(Item.id.in_(ids))).all()
        cols = [(p.columns[0].name, p.key) for p in Item.__mapper__.column_attrs]
        rows = [{name: getattr(i, key) for name, key in cols} for i in items]
        read = audit.batch_of(s, "items", ids)
    assert audit.batch_from_rows("items", rows) == read
    assert read.count == 7 and read.ids == [[min(ids), max(ids)]]


# --- the pieces ---------------------------------------------------------------------------


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962's Merkle tree hash, written as the RFC says it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])
    ).digest()


@pytest.mark.parametrize("seed", range(3))
def test_the_merkle_root_is_rfc_6962s(seed: int) -> None:
    rng = random.Random(seed)
    for n in [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, rng.randrange(18, 300)]:
        leaves = [hashlib.sha256(rng.randbytes(8)).hexdigest() for _ in range(n)]
        expect = _reference_root([bytes.fromhex(x) for x in leaves]).hex()
        assert merkle_root(leaves) == expect, n


def test_a_row_digest_is_canonical() -> None:
    at = datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=UTC)
    row = {"id": 1, "state": "new", "parents": ["a"], "account": None, "created_at": at}
    same = {"created_at": at.replace(tzinfo=None), "parents": ["a"], "state": "new", "id": 1}
    assert row_digest("items", row) == row_digest("items", same)  # NULLs, key order, naive UTC
    assert row_digest("items", row) != row_digest("checks", row)
    assert row_digest("items", row) != row_digest("items", row | {"state": "ready"})
    blob = json.dumps(["items", {"created_at": 1796117400123456, "id": 1, "parents": ["a"],
                                 "state": "new"}], separators=(",", ":"))  # fmt: skip
    assert row_digest("items", row) == hashlib.sha256(blob.encode()).hexdigest()
    assert row_leaf("items", 1, "d") != row_leaf("items", 1, "d", prev="c")
