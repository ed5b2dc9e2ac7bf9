"""The audit chain: every write appends an event, and tampering is found and named."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select, text

from takedown.services import operations, units
from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import AuditEvent, Operation, Unit


def _events(db: Database) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _verify(db: Database) -> audit.ChainReport:
    with db.session() as s:
        return audit.verify_chain(s)


@pytest.fixture
def populated(db: Database) -> Database:
    """Five service writes: two units, an operation, a user and a token."""
    with db.session() as s:
        u = units.create_unit(s, "DE-IRU", "referral_unit", actor="test:alice")
        units.create_unit(s, "Europol", "coordinator", actor="test:alice")
        operations.create_operation(s, "Action Day 1", actor="test:bob")
        units.create_user(s, "analyst@de.example", u, "analyst", actor="test:alice")
        units.create_token(s, u, "analyst", actor="test:alice")
    return db


def test_each_service_write_appends_one_event(populated: Database) -> None:
    events = _events(populated)
    assert [e.action for e in events] == [
        "unit.create",
        "unit.create",
        "operation.create",
        "user.create",
        "token.create",
    ]
    assert [e.actor for e in events][2] == "test:bob"
    assert all(len(e.digest) == 64 and len(e.hash) == 64 for e in events)
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash


def test_revoking_a_token_is_audited_once(populated: Database) -> None:
    with populated.session() as s:
        token_id = s.scalar(select(func.max(AuditEvent.object_id)).where(
            AuditEvent.action == "token.create"))  # fmt: skip
        units.revoke_token(s, int(token_id), actor="test:carol")
    with populated.session() as s:
        units.revoke_token(s, int(token_id), actor="test:carol")  # already revoked: no write
    actions = [e.action for e in _events(populated)]
    assert actions.count("token.revoke") == 1


def test_intact_chain_verifies(populated: Database) -> None:
    report = _verify(populated)
    assert report.ok
    assert report.events == 5
    assert report.broken_at is None


def test_empty_chain_verifies(db: Database) -> None:
    report = _verify(db)
    assert report.ok and report.events == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'test:mallory'"),
        ("action", "'unit.delete'"),
        ("object_id", "'999'"),
        ("digest", "'" + "f" * 64 + "'"),
    ],
)
def test_tampering_with_a_field_names_that_event(
    populated: Database, column: str, value: str
) -> None:
    third = _events(populated)[2]
    with populated.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_events SET {column} = {value} WHERE id = :id"),
                     {"id": third.id})  # fmt: skip
    report = _verify(populated)
    assert not report.ok
    assert report.broken_at == third.id
    assert report.problem


def test_tampering_with_the_time_names_that_event(populated: Database) -> None:
    second = _events(populated)[1]
    with populated.engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.id == second.id)
            .values(at=second.at.replace(year=2020))
        )
    assert _verify(populated).broken_at == second.id


def test_deleting_an_event_breaks_the_link_after_it(populated: Database) -> None:
    events = _events(populated)
    with populated.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[2].id})
    report = _verify(populated)
    assert not report.ok
    assert report.broken_at == events[3].id


def test_rehashing_a_tampered_event_still_breaks_the_next_link(populated: Database) -> None:
    """A forger who recomputes the tampered event's own hash is caught at the next event."""
    events = _events(populated)
    ev = events[1]
    forged = audit.chain_hash(ev.prev_hash, ev.at, "test:mallory", ev.action, ev.object_type,
                              ev.object_id, ev.digest)  # fmt: skip
    with populated.engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.id == ev.id)
            .values(actor="test:mallory", hash=forged)
        )
    assert _verify(populated).broken_at == events[2].id


def test_guard_refuses_an_orm_write_without_an_audit_event(db: Database) -> None:
    with pytest.raises(audit.AuditMissing), db.session() as s:
        s.add(Operation(name="sneaky", status="open"))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Operation)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_guard_refuses_an_unaudited_update(populated: Database) -> None:
    with pytest.raises(audit.AuditMissing), populated.session() as s:
        unit = s.scalar(select(Unit).where(Unit.name == "DE-IRU"))
        assert unit is not None
        unit.kind = "platform"
    with populated.session() as s:
        assert s.scalar(select(Unit.kind).where(Unit.name == "DE-IRU")) == "referral_unit"


def test_guard_allows_an_audited_orm_write(db: Database) -> None:
    with db.session() as s:
        op = Operation(name="by hand", status="open")
        s.add(op)
        s.flush()
        audit.record(s, actor="test", action="operation.create", object_type="operation",
                     object_id=op.id, change={"name": "by hand"})  # fmt: skip
    with db.session() as s:
        assert s.scalar(select(Operation.name)) == "by hand"
    assert _verify(db).ok


def test_guard_lets_read_only_sessions_commit(populated: Database) -> None:
    with populated.session() as s:
        assert len(units.list_units(s)) == 2


def test_a_failed_service_call_leaves_no_event(populated: Database) -> None:
    from takedown.errors import UserError

    before = len(_events(populated))
    with pytest.raises(UserError), populated.session() as s:
        units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
    assert len(_events(populated)) == before
    assert _verify(populated).ok


def test_digest_is_stable_and_order_independent() -> None:
    assert audit.digest_of({"a": 1, "b": "x"}) == audit.digest_of({"b": "x", "a": 1})
    assert audit.digest_of({"a": 1}) != audit.digest_of({"a": 2})
