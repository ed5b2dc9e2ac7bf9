"""The rejects file of an import: each refused row with its number, field and reason.

``.csv`` gives a CSV (formula-safe, see ``csvsafe``); anything else gives JSON lines.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from takedown.interop.csvsafe import safe_cell
from takedown.interop.tabular import REPORT_FIELDS

if TYPE_CHECKING:
    from takedown.services.intake import Rejection

HEADER = ("row", "field", "reason", *REPORT_FIELDS)


def _text(value: object) -> str | None:
    """Undo surrogate escapes from undecodable bytes, showing them as U+FFFD."""
    if value is None:
        return None
    raw = str(value).encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")


class RejectsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        self._out: TextIO = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._out) if self.csv else None
        if self._writer is not None:
            self._writer.writerow(HEADER)

    def write(self, rejections: list[Rejection]) -> None:
        for rej in rejections:
            values = [_text(rej.values.get(name)) for name in REPORT_FIELDS]
            if self._writer is not None:
                self._writer.writerow(
                    [safe_cell(v) for v in (rej.row, rej.field, rej.reason, *values)]
                )
            else:
                record = {"row": rej.row, "field": rej.field, "reason": rej.reason}
                record["values"] = {k: v for k, v in zip(REPORT_FIELDS, values, strict=True) if v}
                self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()

    def close(self) -> None:
        self._out.close()
