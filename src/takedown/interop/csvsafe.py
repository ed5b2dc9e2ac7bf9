"""CSV export that spreadsheet programs cannot be tricked into executing.

A cell that starts with ``= + - @``, a tab or a carriage return is a formula to Excel and
LibreOffice. Such values are stored as given and neutralised here, on the way out, by a
leading apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_TRIGGERS):
        return "'" + text
    return text


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
