"""Row digests: the content of each covered business row, committed to by the audit chain.

A covered row's **digest** is the SHA-256 of its canonical content, ``[table, {column: value}]``
as JSON with sorted keys, compact separators and UTF-8; NULL columns are left out (so a new
nullable column changes no digest), date-times are microseconds since 1970-01-01 UTC, JSON
columns are their value. A **leaf** is one write of one row: ``table, id, digest before, digest
after`` (before is empty for a row the write created). Each audit event's payload carries the
Merkle root (RFC 6962) of the leaves of the covered rows written since the event before it in
its transaction; the leaves are kept in ``audit_rows``. A bulk batch carries instead the root of
the digests of the rows it inserted and their ids, and keeps no leaf per row.

The session hooks here collect leaves without any call site's help: ``before_flush`` digests a
dirty row's committed content, ``after_flush`` its new content, and ``do_orm_execute`` the rows a
Core ``UPDATE`` through the session matches, before and after. ``takedown.store.audit`` hands
them to the next event (or to the transaction's last one at commit).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    bindparam,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from takedown.store.models import Base, Id

# The business rows whose content the chain commits to: what the figures count.
COVERED = (
    "items",
    "assessments",
    "holds",
    "referrals",
    "referral_items",
    "removal_orders",
    "order_pauses",
    "responses",
    "checks",
    "deliveries",
)
# Scheduling, not facts: a delivery's lease and next retry time move without an event (the
# outbox's claim); the retry time a failed attempt chose is in that attempt's event.
# An item's queue priority and last report time are derived (recomputed from its reports,
# matches and watches), so they move with those facts, not as facts of their own.
EXCLUDED: dict[str, frozenset[str]] = {
    "deliveries": frozenset({"next_attempt_at"}),
    "items": frozenset({"priority_band", "last_reported_at"}),
}
DELETED = "deleted"  # a leaf's digest after the row was deleted
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()

PENDING = "audit_rows_pending"  # session.info: (table, id) -> _Pending, not yet in an event
WRITTEN = "audit_rows_written"  # session.info: (table, id) -> digest an event of this txn holds


class AuditPayload(Base):
    """What an audit event says, as the canonical JSON whose SHA-256 is the event's digest:
    ``{"change": …, "rows": {"root", "count"}, "batch": {"table", "ids", "root", "count"}}``."""

    __tablename__ = "audit_payloads"
    event_id: Mapped[int] = mapped_column(
        Id, ForeignKey("audit_events.id", ondelete="CASCADE"), primary_key=True
    )
    payload: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """One leaf: an event wrote row ``row_id`` of ``table_name``, from ``prev`` to ``digest``.

    ``columns`` holds an 8-hex fingerprint of each column's new value: not part of the leaf,
    only a hint that lets ``verify_rows`` name the columns edited behind the chain's back."""

    __tablename__ = "audit_rows"
    __table_args__ = (
        Index("ix_audit_rows_table_name_row_id_event_id", "table_name", "row_id", "event_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("audit_events.id", ondelete="CASCADE"), index=True
    )
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(BigInteger)
    prev: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- digests -------------------------------------------------------------------------------


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _value(value: Any) -> Any:
    """What JSON cannot say by itself: called by the encoder for those values only."""
    if isinstance(value, datetime):  # microseconds since 1970 UTC; naive means UTC
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return (value - _EPOCH) // _MICROSECOND
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_value
)
_IN_ORDER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_value)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def canonical_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def row_digest(table: str, row: Mapping[Any, Any]) -> str:
    """The SHA-256 of a row's canonical content: ``row`` maps column names to values."""
    blob = _ENCODER.encode([table, {k: v for k, v in row.items() if v is not None}])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def column_hints(row: Mapping[Any, Any]) -> dict[str, str]:
    """An 8-hex fingerprint of each non-NULL column: enough to say which ones changed."""
    return {
        k: hashlib.sha256(_dumps(v).encode("utf-8")).hexdigest()[:8]
        for k, v in canonical_row(row).items()
    }


def row_leaf(table: str, row_id: int, digest: str, prev: str | None = None) -> str:
    """The Merkle leaf of one write: which row, its digest before (None: created) and after."""
    line = "\x1f".join((table, str(row_id), prev or "", digest))
    return hashlib.sha256(b"\x00" + line.encode("utf-8")).hexdigest()


class MerkleRoot:
    """The RFC 6962 Merkle tree hash of leaves added in order, in O(log n) memory."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.count = 0

    def add(self, leaf: str) -> None:
        size, node = 1, bytes.fromhex(leaf)
        stack = self._stack
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            node = hashlib.sha256(b"\x01" + left + node).digest()
            size *= 2
        stack.append((size, node))
        self.count += 1

    def root(self) -> str:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = hashlib.sha256(b"\x01" + left + node).digest()
        return node.hex()


def merkle_root(leaves: Iterable[str]) -> str:
    """The Merkle root of hex leaf hashes, in their order (RFC 6962, as Certificate
    Transparency logs); the root of no leaves is the SHA-256 of nothing."""
    tree = MerkleRoot()
    for leaf in leaves:
        tree.add(leaf)
    return tree.root()


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


def _columns(table: str) -> list[str]:
    skip = EXCLUDED.get(table, frozenset())
    return [c.name for c in table_of(table).columns if c.name not in skip]


def _canonical(process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """A column's result processor, then the digest's form of what JSON cannot say (a
    date-time as its microseconds), remembering what it made of each value: a bulk batch's
    rows share their date-times, and many share their JSON lists."""
    seen: dict[Any, Any] = {}
    plain = (str, int, float, bool, list, dict)

    def convert(value: Any) -> Any:
        out = process(value) if process is not None else value
        return out if out is None or isinstance(out, plain) else _value(out)

    def run(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: the driver parsed it already
            return convert(value)
        if len(seen) > 100_000:
            seen.clear()
        out = seen[value] = convert(value)
        return out

    return run


class RowReader:
    """Reads a covered table's rows as their digests see them: the driver's values through
    each column type's result processor, as SQLAlchemy would (SQLite's text date-times and
    JSON parsed), date-times as their microseconds, straight from the cursor; ``batch_of`` at intake speed and ``verify_rows``
    read through it alike. ``names`` are the digested columns, sorted."""

    def __init__(self, session: Session, table: str) -> None:
        dialect = session.get_bind().dialect
        t = table_of(table)
        self.session, self.table, self.names = session, table, sorted(_columns(table))
        quote = dialect.identifier_preparer.quote
        self.select = f"SELECT {', '.join(quote(n) for n in self.names)} FROM {quote(table)}"
        self.id_at = self.names.index("id")
        self.process: list[tuple[int, Callable[[Any], Any]]] = []
        for n, name in enumerate(self.names):
            kind = t.c[name].type
            process = kind.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None or isinstance(kind, DateTime | Date | LargeBinary):
                self.process.append((n, _canonical(process)))

    def values(self, clause: str, limit: int | None = None, **params: Any) -> Iterator[list[Any]]:
        """The values of the rows matching ``clause`` (SQL with ``:name`` parameters), in
        ``names`` order and in id order."""
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        query = text(f"{self.select} WHERE {clause} ORDER BY id{tail}")
        if isinstance(params.get("ids"), list):
            query = query.bindparams(bindparam("ids", expanding=True))
        result = cast("CursorResult[Any]", self.session.execute(query, params))
        process = self.process
        for raw in result.cursor.fetchall():  # plain tuples: no row objects to build
            values = list(raw)
            for n, run in process:
                values[n] = run(values[n])
            yield values

    def where(
        self, clause: str, limit: int | None = None, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """The rows matching ``clause``, in id order, as ``{column: value}``."""
        names = self.names
        for values in self.values(clause, limit, **params):
            yield dict(zip(names, values, strict=True))

    def digest(self, values: list[Any]) -> str:
        """``row_digest`` of a row from ``values``, quicker: the names are sorted already."""
        row = dict(zip(self.names, values, strict=True))
        if None in values:
            row = {k: v for k, v in row.items() if v is not None}
        blob = _IN_ORDER.encode([self.table, row])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def read_rows(session: Session, table: str, ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    """The stored rows of ``table`` with these ids, in id order, as digested columns."""
    reader = RowReader(session, table)
    for i in range(0, len(ids), 900):
        yield from reader.where("id IN :ids", ids=sorted(ids[i : i + 900]))


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as ``[[first, last], …]`` runs."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


@dataclass(frozen=True)
class RowBatch:
    """The rows a bulk write inserted: their ids and the Merkle root of their digests."""

    table: str
    ids: list[list[int]]
    root: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "ids": self.ids, "root": self.root, "count": self.count}


def batch_of(session: Session, table: str, ids: Iterable[int]) -> RowBatch:
    """Read back the rows a bulk write just inserted and digest them, as ``verify_rows`` will:
    the batch event's payload carries their ids and the Merkle root of their leaves."""
    ranges = id_ranges(ids)
    tree = MerkleRoot()
    reader = RowReader(session, table)
    digest, at = reader.digest, reader.id_at
    for lo, hi in ranges:
        for values in reader.values("id BETWEEN :lo AND :hi", lo=lo, hi=hi):
            tree.add(row_leaf(table, values[at], digest(values)))
    return RowBatch(table, ranges, tree.root(), tree.count)


def batch_from_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> RowBatch:
    """``batch_of`` for rows a bulk write holds in memory as mappings, without reading them
    back: ``TupleDigester`` over each row's digested columns (every one present, its id
    included, JSON columns as values, date-times as ``datetime``). A row given otherwise
    than stored fails ``verify_rows`` later."""
    names = sorted(_columns(table))
    digester = TupleDigester(table, names)
    return digester.batch(digester.leaf(tuple(row[n] for n in names)) for row in rows)


class TupleDigester:
    """Leaves of rows a bulk insert holds in memory as tuples, without reading them back.

    ``columns`` names each tuple's values; they must include every digested column of
    ``table`` (others are ignored). Values are as the row stores them, except that date-times
    are ``datetime`` values and the ``json_text`` columns may be given as their JSON text.
    ``leaf`` gives what ``batch_of`` would compute from the stored row; ``batch`` gathers
    the leaves into the ``RowBatch`` of an event. A batch of rows given otherwise than stored
    fails ``verify_rows`` later, which the tests check against the rows read back.
    """

    def __init__(self, table: str, columns: Sequence[str], json_text: Iterable[str] = ()) -> None:
        names = sorted(_columns(table))
        missing = [n for n in names if n not in columns]
        if missing:
            raise ValueError(f"{table}: the rows lack the digested columns {missing}")
        self.table, self.names = table, names
        self._pick = [columns.index(n) for n in names]
        self._id_at = names.index("id")
        texts = set(json_text)
        t = table_of(table)
        self._json = [n for n, name in enumerate(names) if name in texts]
        # date-time columns, known from the table: the digest holds their microseconds
        self._times_at = [n for n, name in enumerate(names) if isinstance(t.c[name].type, DateTime)]
        self._loaded: dict[str, Any] = {}
        self._times: dict[datetime, int] = {}

    def leaf(self, row: Sequence[Any]) -> tuple[int, str]:
        """``(id, leaf)`` of one row tuple."""
        values = [row[i] for i in self._pick]
        loaded = self._loaded
        for n in self._json:
            raw = values[n]
            if isinstance(raw, str):
                value = loaded.get(raw)
                if value is None:
                    value = json.loads(raw)
                    if len(loaded) < 10_000:
                        loaded[raw] = value
                values[n] = value
        times = self._times
        for n in self._times_at:
            when = values[n]
            if when is not None:
                micro = times.get(when)
                if micro is None:
                    micro = times[when] = _value(when)
                values[n] = micro
        if None in values:
            content = {k: v for k, v in zip(self.names, values, strict=True) if v is not None}
        else:
            content = dict(zip(self.names, values, strict=True))
        blob = _IN_ORDER.encode([self.table, content])
        digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        row_id = int(values[self._id_at])
        return row_id, row_leaf(self.table, row_id, digest)

    def batch(self, leaves: Iterable[tuple[int, str]]) -> RowBatch:
        """The ``RowBatch`` of these rows' leaves (in id order, as ``batch_of`` reads them)."""
        ordered = sorted(leaves)
        tree = MerkleRoot()
        for _, leaf in ordered:
            tree.add(leaf)
        return RowBatch(self.table, id_ranges(i for i, _ in ordered), tree.root(), tree.count)


# --- collecting the leaves of a transaction -------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    table: str
    row_id: int
    prev: str | None
    digest: str
    columns: dict[str, str]

    @property
    def hash(self) -> str:
        return row_leaf(self.table, self.row_id, self.digest, self.prev)


class _Pending:
    __slots__ = ("columns", "core", "digest", "prev")

    def __init__(self, prev: str | None, core: bool = False) -> None:
        self.prev = prev
        self.digest: str | None = None
        self.columns: dict[str, str] = {}
        self.core = core  # written by a Core UPDATE: read back its content when taken


def _covered(obj: object) -> str | None:
    name = getattr(getattr(obj, "__table__", None), "name", None)
    return name if name in COVERED else None


def _instance_row(obj: object, table: str) -> dict[str, Any]:
    skip = EXCLUDED.get(table, frozenset())
    mapper = sa_inspect(obj).mapper
    return {
        prop.columns[0].name: getattr(obj, prop.key)
        for prop in mapper.column_attrs
        if prop.columns[0].name not in skip
    }


def _committed_row(session: Session, obj: object, table: str) -> dict[str, Any] | None:
    """The row as stored before this flush: from attribute history, else read from the
    database (an attribute set without its old value loaded)."""
    state = sa_inspect(obj)
    skip = EXCLUDED.get(table, frozenset())
    out: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        name = prop.columns[0].name
        if name in skip:
            continue
        hist = state.attrs[prop.key].history
        if hist.deleted:
            out[name] = hist.deleted[0]
        elif hist.unchanged:
            out[name] = hist.unchanged[0]
        elif hist.added:  # the old value was never loaded
            rows = list(read_rows(session, table, [state.identity[0]]))
            return rows[0] if rows else None
        elif prop.key in state.dict:
            out[name] = state.dict[prop.key]
        else:  # not loaded, hence unchanged
            out[name] = getattr(obj, prop.key)
    return out


def _state(session: Session) -> tuple[dict[tuple[str, int], _Pending], dict[tuple[str, int], str]]:
    return session.info.setdefault(PENDING, {}), session.info.setdefault(WRITTEN, {})


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    pending, written = _state(session)
    for obj in (*session.dirty, *session.deleted):
        table = _covered(obj)
        if table is None or (not session.is_modified(obj) and obj not in session.deleted):
            continue
        identity = sa_inspect(obj).identity
        if identity is None:
            continue
        key = (table, int(identity[0]))
        if key in pending:
            continue
        prev = written.get(key)
        if prev is None:
            before = _committed_row(session, obj, table)
            prev = row_digest(table, before) if before is not None else None
        pending[key] = _Pending(prev)


def _after_flush(session: Session, _ctx: Any) -> None:
    pending, written = _state(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = _covered(obj)
        if table is None:
            continue
        deleted = obj in session.deleted
        if not deleted and obj not in session.new and not session.is_modified(obj):
            continue
        row_id = int(sa_inspect(obj).identity[0]) if deleted else int(obj.id)
        key = (table, row_id)
        entry = pending.get(key)
        if entry is None:  # created in this flush (or dirtied after the before_flush pass)
            prev = written.get(key)
            if prev is None and obj not in session.new:
                before = _committed_row(session, obj, table)  # history is still pre-flush
                prev = row_digest(table, before) if before is not None else None
            entry = pending[key] = _Pending(prev)
        if deleted:
            entry.digest, entry.columns = DELETED, {}
        else:
            row = _instance_row(obj, table)
            entry.digest, entry.columns = row_digest(table, row), column_hints(row)


def _core_update(state: ORMExecuteState) -> Any:
    """A Core ``UPDATE`` of a covered table through the session: digest the rows it matches
    before it runs; their new content is read back when the leaves are taken."""
    if not state.is_update:
        return None
    target = getattr(state.statement, "table", None)
    table = getattr(target, "name", None)
    if target is None or table not in COVERED:
        return None
    session = state.session
    pending, written = _state(session)
    t = table_of(table)
    query = select(*[t.c[name] for name in _columns(table)])
    params = state.parameters
    if isinstance(params, list):  # an UPDATE by primary key, one parameter set per row
        query = query.where(t.c.id.in_([int(p["id"]) for p in params]))
    else:
        where = state.statement.whereclause  # type: ignore[attr-defined]
        if where is not None:
            query = query.where(where)
    for row in session.execute(query):
        values = row._mapping
        key = (table, int(values["id"]))
        if key not in pending:
            pending[key] = _Pending(written.get(key) or row_digest(table, values), core=True)
        else:
            pending[key].core = True
    return None


def take_leaves(session: Session) -> list[Leaf]:
    """The leaves written since the last event of this transaction, in (table, id) order;
    a write that left a row's digest as it was (only excluded columns changed) is dropped."""
    pending, written = _state(session)
    if not pending:
        return []
    core: dict[str, list[int]] = {}
    for (table, row_id), entry in pending.items():
        if entry.core:
            core.setdefault(table, []).append(row_id)
    for table, ids in core.items():
        found = {int(r["id"]): r for r in read_rows(session, table, ids)}
        for row_id in ids:
            entry = pending[(table, row_id)]
            row = found.get(row_id)
            if row is None and entry.prev is None:  # created, then rolled back
                entry.digest = None
                continue
            entry.digest = row_digest(table, row) if row is not None else DELETED
            entry.columns = column_hints(row) if row is not None else {}
    leaves = []
    for key in sorted(pending):
        entry = pending[key]
        if entry.digest is None or entry.digest == entry.prev:
            continue
        leaves.append(Leaf(key[0], key[1], entry.prev, entry.digest, entry.columns))
        written[key] = entry.digest
    pending.clear()
    return leaves


def recheck(session: Session) -> None:
    """After a savepoint rolled back: read every pending row back when the leaves are taken
    (a row it created and that is gone is dropped; one back as it was needs no leaf)."""
    pending, _ = _state(session)
    for entry in pending.values():
        entry.core = True


def forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WRITTEN, None)


def install(factory: Any) -> None:
    """Collect the leaves of every session the factory makes."""
    from sqlalchemy import event

    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _core_update)
