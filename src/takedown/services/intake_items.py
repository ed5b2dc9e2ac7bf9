"""Intake's set-based SQL: finding and creating items by key, inserting reports.

Each call is one or two statements for a whole batch (``takedown.store.bulk``), whatever its
size; ``takedown.services.intake_write`` drives them, one transaction at a time.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from takedown.domain.priority import priority_band
from takedown.services.intake_rows import (
    ITEM_FIELDS,
    R_ITEM,
    R_KEY,
    R_PARENTS,
    R_REPORTED_AT,
    REPORT_OWN,
    Ready,
)
from takedown.store.bulk import Bulk
from takedown.store.models import Item

REPORT_COLUMNS = (  # as insert_reports writes them
    "operation_id",
    "item_id",
    "unit_id",
    "dedupe_key",
    "url",
    *REPORT_OWN,
    "source",
    "reported_at",
    "received_at",
)
ITEM_COLUMNS = (
    "operation_id",
    "key",
    *ITEM_FIELDS,
    "state",
    "created_at",
    "updated_at",
    "priority_band",  # the triage order (services.priority), derived
    "last_reported_at",
)
ITEM_ROW = ("id", *ITEM_COLUMNS)


Known = dict[str, int] | None  # item key -> id, for the items a helper found stored


class Recent:
    """Ids of the items this import created in its last three transactions.

    A helper process looks items up when it checks a message, at most ``AHEAD`` queued
    messages, one in the pipe and one in hand (about 22,000 rows) before the message is
    written, so items this import created since are not among those it found. That spans
    under three transactions of 10,000 rows or more (the default is 50,000); an item created
    earlier was committed before the helper looked. Smaller transactions only cost more
    look-ups: an item found nowhere is created, and if it exists after all (made earlier
    by this import, or by another), it is found then.
    """

    def __init__(self) -> None:
        self.now: dict[str, int] = {}
        self.before: dict[str, int] = {}
        self.oldest: dict[str, int] = {}

    def get(self, key: str) -> int | None:
        return self.now.get(key) or self.before.get(key) or self.oldest.get(key)

    def turn(self) -> None:
        self.oldest, self.before, self.now = self.before, self.now, {}


def drop_orphans(session: Session, op_id: int, keys: set[str]) -> None:
    """Items this batch created for rows that turned out to be stored reports already."""
    if keys:
        session.execute(delete(Item).where(Item.operation_id == op_id, Item.key.in_(sorted(keys))))


def existing_reports(bulk: Bulk, op_id: int, unit_id: int, keys: list[int]) -> dict[int, int]:
    scope = {"operation_id": op_id, "unit_id": unit_id}
    return bulk.lookup("reports", "dedupe_key", "item_id", scope, keys)


def existing_items(bulk: Bulk, op_id: int, keys: list[str]) -> dict[str, int]:
    return bulk.lookup("items", "key", "id", {"operation_id": op_id}, keys)


def find_items(
    bulk: Bulk, op_id: int, fresh: list[Ready], known: Known, recent: Recent | None
) -> dict[str, int]:
    """The ids of the stored items among these rows' keys.

    Without ``known``, one look-up finds them all. With it, a key neither the helper found
    nor this import recently created is taken for new; ``create_items`` finds it if that was
    wrong.
    """
    keys = list({r[R_KEY]: None for r in fresh})
    if known is None:
        return existing_items(bulk, op_id, keys)
    items: dict[str, int] = {}
    for key in keys:
        item_id = known.get(key) or (recent.get(key) if recent is not None else None)
        if item_id:
            items[key] = item_id
    return items


def insert_reports(bulk: Bulk, rows: list[tuple[Any, ...]], keys: set[int]) -> set[int]:
    """Insert the reports (their dedupe keys are ``keys``); the keys of those that went in.

    PostgreSQL says which through ``RETURNING``. SQLite holds the database's write lock for
    the whole transaction, so it counts instead: when every row went in, that is all; else
    the rows with ids past the largest before this insert are the ones that went in.
    Fetching a million keys back costs more than the count.
    """
    if not bulk.sqlite:
        returned = bulk.insert_returning(
            "reports", REPORT_COLUMNS, rows, ("dedupe_key",), skip_conflicts=True
        )
        return {r[0] for r in returned}
    before = bulk.max_id("reports")
    if bulk.insert_counted("reports", REPORT_COLUMNS, rows, skip_conflicts=True) == len(rows):
        return keys
    return {key for (key,) in bulk.rows_after("reports", ("dedupe_key",), before)}


def create_items(
    bulk: Bulk, op_id: int, firsts: list[Ready], now: datetime, order: list[tuple[int, Any]]
) -> tuple[dict[str, int], set[str]]:
    """Create items; returns the ids of all of them and the keys this call really created.

    ``order`` is each new item's triage order, (band, last report time), in ``firsts``' order.

    On SQLite this transaction holds the write lock, so the ids are the next free ones,
    assigned here. A key that exists after all (the look-up was made by a helper process,
    before an item was stored) is skipped; the rows past the old largest id say which went
    in, and the rest are looked up. On PostgreSQL a concurrent writer may create one first;
    it is skipped, then looked up.
    """
    stamp = bulk.when(now)
    keys = [r[R_KEY] for r in firsts]
    if bulk.sqlite:
        start = bulk.max_id("items") + 1
        rows = [
            (start + n, op_id, r[R_KEY], *r[R_ITEM], "new", stamp, stamp, *o)
            for n, (r, o) in enumerate(zip(firsts, order, strict=True))
        ]
        inserted = bulk.insert_counted("items", ITEM_ROW, rows, skip_conflicts=True)
        if inserted == len(rows):
            return dict(zip(keys, range(start, start + len(rows)), strict=True)), set(keys)
        ids = dict(bulk.rows_after("items", ("key", "id"), start - 1))
    else:
        rows = [
            (op_id, r[R_KEY], *r[R_ITEM], "new", stamp, stamp, *o)
            for r, o in zip(firsts, order, strict=True)
        ]
        ids = dict(
            bulk.insert_returning("items", ITEM_COLUMNS, rows, ("key", "id"), skip_conflicts=True)
        )
    missing = [k for k in keys if k not in ids]
    if missing:
        ids.update(existing_items(bulk, op_id, missing))
    return ids, set(ids) - set(missing)


ORDER_CHUNK = 500  # items per aggregate: a bounded IN list


def new_item_order(
    bulk: Bulk, op_id: int, firsts: dict[str, Ready], fresh: list[Ready]
) -> list[tuple[int, Any]]:
    """The triage order of items about to be created from ``fresh`` reports, all of one unit
    and none matched yet: (band, latest report time), in ``firsts``' order. Reports that join
    them later are counted by ``refresh_order``."""
    latest: dict[str, datetime] = {}
    for r in fresh:
        key = r[R_KEY]
        if key in firsts:
            when = r[R_REPORTED_AT]
            if key not in latest or when > latest[key]:
                latest[key] = when
    watched = watch_keys(bulk, op_id)
    return [
        (
            priority_band(matches=0, watched=bool(watched) and _watched(r, watched), units=1),
            bulk.when(latest[key]),
        )
        for key, r in firsts.items()
    ]


def watch_keys(bulk: Bulk, op_id: int) -> set[str]:
    """The keys on the operation's watchlist."""
    with closing(bulk._cursor()) as cursor:
        cursor.execute(f"SELECT key FROM watchlist WHERE operation_id = {bulk.mark}", [op_id])
        return {key for (key,) in cursor.fetchall()}


def refresh_order(bulk: Bulk, op_id: int, touched: dict[int, Ready]) -> None:
    """The triage order of the items these reports went to (``services.priority``: the band
    of ``domain.priority`` and the last report time), set-based: per chunk of items one
    aggregate over their reports (beside the stored order) and one over their counted
    matches, then one ``UPDATE`` run for the items whose order moved. Whether a watched source published an item comes from the report's key
    and parents, against the operation's watchlist read once. Derived columns: no audit leaf
    (``store.audit_rows.EXCLUDED``)."""
    if not touched:
        return
    m = bulk.mark
    ids = sorted(touched)
    watched = watch_keys(bulk, op_id)
    with closing(bulk._cursor()) as cursor:
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), ORDER_CHUNK):
            chunk = ids[start : start + ORDER_CHUNK]
            marks = ", ".join([m] * len(chunk))
            cursor.execute(
                "SELECT r.item_id, count(DISTINCT r.unit_id), max(r.reported_at),"
                " i.priority_band, i.last_reported_at FROM reports r"
                f" JOIN items i ON i.id = r.item_id WHERE r.item_id IN ({marks})"
                " GROUP BY r.item_id, i.priority_band, i.last_reported_at",
                chunk,
            )
            seen = cursor.fetchall()
            cursor.execute(
                "SELECT m.item_id, count(*) FROM matches m JOIN banks b ON b.id = m.bank_id"
                f" WHERE m.item_id IN ({marks}) AND NOT m.suppressed AND NOT b.negative"
                " GROUP BY m.item_id",
                chunk,
            )
            matches = dict(cursor.fetchall())
            for item_id, units, last, band_before, last_before in seen:
                band = priority_band(
                    matches=int(matches.get(item_id, 0)),
                    watched=bool(watched) and _watched(touched[item_id], watched),
                    units=int(units),
                )
                if band != band_before or last != last_before:  # most merged reports move neither
                    rows.append((band, last, item_id))
        cursor.executemany(
            f"UPDATE items SET priority_band = {m}, last_reported_at = {m} WHERE id = {m}", rows
        )


def _watched(row: Ready, watched: set[str]) -> bool:
    if row[R_KEY] in watched:
        return True
    parents = row[R_PARENTS]
    return any(p in watched for p in (json.loads(parents) if parents else ()))
