"""Fixtures for the service tests: the workflow tests' world, and a counter of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from takedown.store.db import Database

from ..workflow.conftest import World, client, settings, world

__all__ = ["QueryCounter", "World", "client", "queries", "settings", "world"]


class QueryCounter:
    """Counts the statements sent to the database (``before_cursor_execute``: an
    ``executemany`` is one) while ``counting()`` is open, and keeps their text."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[str] = []
        self._on = False
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._on:
            self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """The statements run inside the block."""
        self.statements = []
        self._on = True
        try:
            yield self.statements
        finally:
            self._on = False

    def close(self) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def queries(db: Database) -> Iterator[QueryCounter]:
    counter = QueryCounter(db)
    yield counter
    counter.close()
