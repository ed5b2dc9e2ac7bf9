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
        self._stamps: dict[datetime, str] = {}

    def when(self, value: datetime) -> Any:
        """A date-time as this database's column expects it (UTC)."""
        if not self.sqlite:
            return value
        text = self._stamps.get(value)
        if text is None:
            v = value.astimezone(UTC) if value.tzinfo else value
            text = v.strftime("%Y-%m-%d %H:%M:%S.%f")
            if len(self._stamps) < 10_000:
                self._stamps[value] = text
        return text

    @staticmethod
    def json(value: list[str] | tuple[str, ...]) -> str:
        if not value:
            return "[]"
        return json.dumps(list(value), separators=(",", ":"))

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

    def can_return(self) -> bool:
        if not self.sqlite:
            return True
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)

    def insert_returning(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        returning: Sequence[str],
        *,
        skip_conflicts: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Multi-row ``INSERT … RETURNING`` (SQLite 3.35+, PostgreSQL); the rows inserted."""
        out: list[tuple[Any, ...]] = []
        per = max(1, 30_000 // len(columns))  # stay under the bound-parameter limits
        row_marks = "(" + ", ".join([self.mark] * len(columns)) + ")"
        tail = (
            " ON CONFLICT DO NOTHING" if skip_conflicts else ""
        ) + f" RETURNING {', '.join(returning)}"
        conn = self.session.connection()
        for i in range(0, len(rows), per):
            part = rows[i : i + per]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                + ", ".join([row_marks] * len(part))
                + tail
            )
            flat = tuple(v for row in part for v in row)
            out.extend(tuple(r) for r in conn.exec_driver_sql(sql, flat).fetchall())
        return out
