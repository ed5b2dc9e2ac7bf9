"""The audit trail: one mechanism that every write goes through.

``record`` appends an event (actor, action, object, a SHA-256 digest of its payload, the time)
chained by SHA-256 to the previous event. The payload, kept in ``audit_payloads``, is the change
and the Merkle root of the covered rows the event wrote (see ``takedown.store.audit_rows``).
``verify_chain`` walks the chain and names the first broken link. An *anchor* is the chain's
head signed with HMAC-SHA256 under a key kept outside the database; ``check_anchor`` says
whether the chain still reaches it. A session guard refuses to commit ORM writes that recorded
no event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, sessionmaker

from takedown.errors import UserError
from takedown.store import audit_rows
from takedown.store.audit_rows import (
    AuditPayload,
    AuditRow,
    Leaf,
    RowBatch,
    TupleDigester,
    batch_from_rows,
    batch_of,
    merkle_root,
    row_digest,
    row_leaf,
)
from takedown.store.models import AuditEvent, utcnow

GENESIS = "0" * 64
TXN = "audit_events_of_transaction"  # session.info: the _Recorded events of this transaction
KEY_MIN_BYTES = 16
ANCHOR_VERSION = 1

__all__ = [
    "GENESIS",
    "AuditMissing",
    "ChainReport",
    "RowBatch",
    "TupleDigester",
    "batch_from_rows",
    "batch_of",
    "check_anchor",
    "make_anchor",
    "merkle_root",
    "read_key",
    "record",
    "row_digest",
    "row_leaf",
    "verify_chain",
]


class AuditMissing(RuntimeError):
    """A transaction wrote rows but recorded no audit event."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def digest_of(change: Any) -> str:
    return hashlib.sha256(canonical(change).encode("utf-8")).hexdigest()


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(
    prev: str, at: datetime, actor: str, action: str, otype: str, oid: str, dig: str
) -> str:
    line = "\x1f".join((prev, _stamp(at), actor, action, otype, oid, dig))
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


@dataclass
class _Recorded:
    """An event of the open transaction, with the leaves it carries (stored at commit)."""

    event: AuditEvent
    payload: AuditPayload
    body: dict[str, Any]
    leaves: dict[tuple[str, int], Leaf] = field(default_factory=dict)

    def seal(self) -> None:
        """Set the payload's rows from the leaves, and the event's digest and hash from it."""
        if self.leaves:
            ordered = [self.leaves[k] for k in sorted(self.leaves)]
            self.body["rows"] = {
                "root": merkle_root(leaf.hash for leaf in ordered),
                "count": len(ordered),
            }
        blob = canonical(self.body)
        ev = self.event
        ev.digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        ev.hash = chain_hash(
            ev.prev_hash, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.digest
        )
        self.payload.payload = blob


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    change: Any,
    batch: RowBatch | None = None,
) -> AuditEvent:
    """Append one chained event in the caller's transaction.

    Its payload is ``change`` and the digests of the covered rows written since the previous
    event of this transaction (collected by the session's hooks); ``batch`` adds the rows a
    bulk write inserted (``batch_of``)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so the chain never forks; released at commit.
        session.execute(text("SELECT pg_advisory_xact_lock(7243001)"))
    session.flush()  # the rows written so far belong to this event
    prev = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    body: dict[str, Any] = {"change": change}
    if batch is not None:
        body["batch"] = batch.as_dict()
    ev = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        prev_hash=prev or GENESIS,
    )
    done = _Recorded(ev, AuditPayload(), body)
    done.leaves = {(leaf.table, leaf.row_id): leaf for leaf in audit_rows.take_leaves(session)}
    done.seal()
    session.add(ev)
    session.flush()
    done.payload.event_id = ev.id
    session.add(done.payload)
    session.flush()
    session.info.setdefault(TXN, []).append(done)
    return ev


def _close_transaction(session: Session) -> None:
    """At commit: give late row writes to the transaction's last event, store the leaves.

    Only a Core ``UPDATE`` can leave rows written in a transaction without an event (the guard
    refuses ORM writes without one): its rows keep no leaf, and ``verify_rows`` names them."""
    if not session.info.get(audit_rows.PENDING) and not session.info.get(TXN):
        return
    session.flush()
    late = audit_rows.take_leaves(session)
    recorded: list[_Recorded] = session.info.get(TXN) or []
    if late and recorded:
        last = recorded[-1]
        for leaf in late:
            key = (leaf.table, leaf.row_id)
            before = last.leaves.get(key)
            if before is not None:  # written twice by this event: from its first prev
                leaf = Leaf(leaf.table, leaf.row_id, before.prev, leaf.digest, leaf.columns)
            last.leaves[key] = leaf
        last.seal()
        session.flush()
    rows = [
        {
            "event_id": done.event.id,
            "table_name": leaf.table,
            "row_id": leaf.row_id,
            "prev": leaf.prev,
            "digest": leaf.digest,
            "columns": leaf.columns,
        }
        for done in recorded
        for leaf in done.leaves.values()
    ]
    if rows:
        session.execute(insert(AuditRow), rows)
    session.info.pop(TXN, None)


# --- the chain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_at: int | None = None
    problem: str | None = None
    head: AuditEvent | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "broken_at": self.broken_at,
            "problem": self.problem,
        }


def _events(session: Session, batch: int = 5000) -> Iterator[tuple[AuditEvent, str | None]]:
    last = 0
    while True:
        rows = session.execute(
            select(AuditEvent, AuditPayload.payload)
            .outerjoin(AuditPayload, AuditPayload.event_id == AuditEvent.id)
            .where(AuditEvent.id > last)
            .order_by(AuditEvent.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from ((ev, payload) for ev, payload in rows)
        last = rows[-1][0].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain from its first event: each links to the one before, each hash matches
    the event, and each payload matches the event's digest. Events recorded before payloads
    were kept have none; after the first that has one, a missing payload is a break."""
    prev = GENESIS
    n = 0
    payloads = False
    head: AuditEvent | None = None
    for ev, payload in _events(session):
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
        if payload is not None:
            payloads = True
            if hashlib.sha256(payload.encode("utf-8")).hexdigest() != ev.digest:
                return ChainReport(False, n, ev.id, "payload does not match the event's digest")
        elif payloads:
            return ChainReport(False, n, ev.id, "payload is missing")
        prev = ev.hash
        head = ev
    return ChainReport(True, n, head=head)


# --- anchors --------------------------------------------------------------------------------


def read_key(path: Path | None) -> bytes:
    """The anchor key from ``TAKEDOWN_AUDIT_KEY_FILE``; a clear refusal when it is unusable."""
    name = "TAKEDOWN_AUDIT_KEY_FILE"
    if path is None:
        raise UserError(
            f"{name} is not set: name a file that holds the anchor key, outside the database "
            "(e.g. `head -c 32 /dev/urandom | base64 > audit.key; chmod 600 audit.key`)"
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserError(f"{name}={path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{name}={path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{name}={path}: not a regular file")
    if info.st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise UserError(
            f"{name}={path}: readable or writable by every user of this machine "
            f"(mode {stat.S_IMODE(info.st_mode):o}); run `chmod 600 {path}`"
        )
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise UserError(f"{name}={path}: cannot be read ({exc.strerror})") from None
    if not key:
        raise UserError(f"{name}={path}: the file is empty")
    if len(key) < KEY_MIN_BYTES:
        raise UserError(
            f"{name}={path}: the key is {len(key)} bytes; it needs at least {KEY_MIN_BYTES}"
        )
    return key


def _key_id(key: bytes) -> str:
    return hmac.new(key, b"takedown audit anchor key", hashlib.sha256).hexdigest()[:16]


def _sign(key: bytes, fields: dict[str, Any]) -> str:
    return hmac.new(key, canonical(fields).encode("utf-8"), hashlib.sha256).hexdigest()


def make_anchor(session: Session, key: bytes) -> dict[str, Any]:
    """The chain's head (event id, hash, time, number of events), signed with ``key``."""
    head = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        raise UserError("nothing to anchor: the audit chain has no events yet")
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    fields: dict[str, Any] = {
        "anchor": ANCHOR_VERSION,
        "event_id": head.id,
        "hash": head.hash,
        "at": _stamp(head.at),
        "events": int(count),
        "made_at": _stamp(utcnow()),
        "key_id": _key_id(key),
    }
    return {**fields, "signature": _sign(key, fields)}


@dataclass(frozen=True)
class AnchorReport:
    ok: bool
    event_id: int | None
    events: int | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "event_id": self.event_id,
            "events": self.events,
            "problem": self.problem,
        }


FIELDS = {"anchor": int, "event_id": int, "hash": str, "at": str, "events": int}


def check_anchor(session: Session, anchor: Any, key: bytes) -> AnchorReport:
    """Whether ``anchor`` is signed with ``key`` and the chain still reaches its head: the
    anchored event is there, with the anchored hash, and as many events up to it. (That the
    chain from its first event to the head is whole is ``verify_chain``'s to say.)"""
    if not isinstance(anchor, dict) or any(
        not isinstance(anchor.get(k), t) for k, t in {**FIELDS, "signature": str}.items()
    ):
        return AnchorReport(False, None, None, "not an anchor: a field is missing or mistyped")
    event_id, events = anchor["event_id"], anchor["events"]
    fields = {k: v for k, v in anchor.items() if k != "signature"}
    if anchor.get("key_id") != _key_id(key):
        return AnchorReport(False, event_id, events, "the anchor was signed with another key")
    if not hmac.compare_digest(_sign(key, fields), anchor["signature"]):
        return AnchorReport(False, event_id, events, "the signature does not match: edited")
    ev = session.get(AuditEvent, event_id)
    if ev is None:
        last = session.scalar(select(func.max(AuditEvent.id)))
        if last is None:
            why = f"the chain is empty: all {events} anchored events were deleted"
        elif last < event_id:
            why = f"the chain ends at event {last}: its tail past it was deleted"
        else:
            why = f"event {event_id} was deleted"
        return AnchorReport(False, event_id, events, why)
    if ev.hash != anchor["hash"] or _stamp(ev.at) != anchor["at"]:
        return AnchorReport(
            False, event_id, events, f"event {event_id} is not the anchored one: replaced"
        )
    now = session.scalar(select(func.count()).where(AuditEvent.id <= event_id)) or 0
    if now != events:
        return AnchorReport(
            False, event_id, events, f"{events} events up to {event_id} anchored, {now} there"
        )
    return AnchorReport(True, event_id, events)


# --- the guard ------------------------------------------------------------------------------


def install_guard(factory: sessionmaker[Session]) -> None:
    """Refuse to commit ORM writes that came without an audit event, and collect the digests
    of covered rows for the events (``audit_rows``). A savepoint (``begin_nested``) is checked
    with the transaction around it, at the outer commit."""
    audit_rows.install(factory)

    def _note_writes(session: Session) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if not isinstance(obj, AuditEvent | AuditPayload) and session.is_modified(obj):
                session.info["wrote"] = True
                return

    @event.listens_for(factory, "after_flush")
    def _after_flush(session: Session, _ctx: Any) -> None:
        _note_writes(session)

    @event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return
        _note_writes(session)  # writes still pending flush at commit time
        if session.info.get("wrote") and not session.info.get(TXN):
            raise AuditMissing("a transaction wrote rows without recording an audit event")
        _close_transaction(session)

    @event.listens_for(factory, "after_soft_rollback")
    def _savepoint_rolled_back(session: Session, previous: Any) -> None:
        if not previous.nested:
            return
        # Events appended inside it are gone, and rows it wrote are back as they were.
        kept = [d for d in session.info.get(TXN, []) if sa_inspect(d.event).persistent]
        session.info[TXN] = kept
        audit_rows.recheck(session)

    @event.listens_for(factory, "after_commit")
    @event.listens_for(factory, "after_rollback")
    def _reset(session: Session) -> None:
        if session.in_nested_transaction():
            return
        session.info.pop("wrote", None)
        session.info.pop(TXN, None)
        audit_rows.forget(session)
