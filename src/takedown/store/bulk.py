"""Bulk inserts at driver speed, for intake's hot path.

SQLAlchemy's per-row bind processing costs more than the insert itself at a million rows, so
these helpers hand plain tuples to the driver's ``executemany``. They convert the two types
that differ between drivers: date-times (SQLite stores SQLAlchemy's text format) and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session


class Bulk:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"

    def when(self, value: datetime) -> Any:
        """A date-time as this database's column expects it (UTC)."""
        if not self.sqlite:
            return value
        v = value.astimezone(UTC) if value.tzinfo else value
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def json(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        skip_conflicts: bool = False,
    ) -> None:
        if not rows:
            return
        marks = ", ".join([self.mark] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        if skip_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        self.session.connection().exec_driver_sql(sql, rows)
