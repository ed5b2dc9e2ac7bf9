"""Database.reading(): a read that never waits for a writer, and never writes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from takedown.services.operations import create_operation
from takedown.store.db import Database
from takedown.store.models import Operation


def _operations(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Operation)) or 0)


def test_a_read_does_not_wait_for_a_transaction_that_holds_the_write_lock(db: Database) -> None:
    """A writer holds its transaction open until the read is done. Had the read waited for
    the write lock (as ``session()`` does on SQLite), the writer would have given up waiting
    first, committed, and the read would have seen its row."""
    write_started, read_done = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def writer() -> None:
        with db.session() as s:
            create_operation(s, "held open", actor="test")
            s.flush()
            write_started.set()
            outcome["read finished first"] = read_done.wait(timeout=30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert write_started.wait(timeout=30)
        with db.reading() as s:
            seen = _operations(s)
        read_done.set()
    finally:
        read_done.set()
        thread.join()
    assert seen == 0  # the state committed before the writer's open transaction
    assert outcome["read finished first"]
    with db.reading() as s:
        assert _operations(s) == 1


def test_a_reading_session_refuses_to_write(db: Database) -> None:
    with pytest.raises(RuntimeError, match="cannot write"), db.reading() as s:
        s.add(Operation(name="not here"))
    with db.reading() as s:
        assert _operations(s) == 0
