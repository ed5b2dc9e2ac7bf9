"""The audit trail: one mechanism that every write goes through.

``record`` appends an event (actor, action, object, a SHA-256 digest of the change, the time)
chained by SHA-256 to the previous event. ``verify_chain`` walks the chain and names the first
broken link. A session guard refuses to commit ORM writes that recorded no event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from takedown.store.models import AuditEvent, utcnow

GENESIS = "0" * 64


class AuditMissing(RuntimeError):
    """A transaction wrote rows but recorded no audit event."""


def digest_of(change: Any) -> str:
    blob = json.dumps(
        change, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(
    prev: str, at: datetime, actor: str, action: str, otype: str, oid: str, dig: str
) -> str:
    line = "\x1f".join((prev, _stamp(at), actor, action, otype, oid, dig))
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    change: Any,
) -> AuditEvent:
    """Append one chained event in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so the chain never forks; released at commit.
        session.execute(text("SELECT pg_advisory_xact_lock(7243001)"))
    prev = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    at = utcnow()
    dig = digest_of(change)
    oid = str(object_id)
    ev = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=oid,
        digest=dig,
        prev_hash=prev or GENESIS,
        hash=chain_hash(prev or GENESIS, at, actor, action, object_type, oid, dig),
    )
    session.add(ev)
    session.flush()
    session.info["audited"] = True
    return ev


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_at: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "broken_at": self.broken_at,
            "problem": self.problem,
        }


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    prev = GENESIS
    n = 0
    for ev in _events(session):
        n += 1
        if ev.prev_hash != prev:
            return ChainReport(
                False, n, ev.id, "prev_hash does not match the previous event's hash"
            )
        expect = chain_hash(
            ev.prev_hash, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.digest
        )
        if ev.hash != expect:
            return ChainReport(False, n, ev.id, "hash does not match the event's contents")
        prev = ev.hash
    return ChainReport(True, n)


def install_guard(factory: sessionmaker[Session]) -> None:
    """Refuse to commit ORM writes that came without an audit event."""

    def _note_writes(session: Session) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if not isinstance(obj, AuditEvent) and session.is_modified(obj):
                session.info["wrote"] = True
                return

    @event.listens_for(factory, "after_flush")
    def _after_flush(session: Session, _ctx: Any) -> None:
        _note_writes(session)

    @event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        _note_writes(session)  # writes still pending flush at commit time
        if session.info.get("wrote") and not session.info.get("audited"):
            raise AuditMissing("a transaction wrote rows without recording an audit event")

    @event.listens_for(factory, "after_commit")
    @event.listens_for(factory, "after_rollback")
    def _reset(session: Session) -> None:
        session.info.pop("wrote", None)
        session.info.pop("audited", None)
