"""Checking report rows: a row in, a ready-to-write tuple or a named rejection out.

This runs in the importing process, or, for a big file, in a helper process that reads and
checks the file while the importing process writes the batch before
(``takedown.services.intake_pipeline``).

A ``Ready`` tuple holds the values ``READY`` names, by position (see the ``R_*`` names): the
row number, the 64-bit dedupe key, the item key, the evidence file stored (sha256, size,
name; or None), then the item's columns (url, canonical url, platform, kind, account, parents
and flags as JSON) and the report's own (title … url secret, reported at).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from takedown import urls
from takedown.interop.tabular import REPORT_FIELDS, Row

# Characters per field; the short ones are the column sizes in store/models.py (Report).
LIMITS = {
    "url": 8192,  # as takedown.urls (which counts UTF-8 bytes)
    "title": 2000,
    "text": 100_000,
    "language": 35,
    "content_type": 64,
    "group": 200,
    "notes": 100_000,
    "reported_at": 64,
    "external_id": 200,
    "evidence_path": 4096,
}
_SHORTEST_LIMIT = min(LIMITS.values())
ACCOUNT_LIMIT = 512  # Item.account
FREE_TEXT = frozenset({"title", "text", "notes"})  # may hold tabs and line breaks
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1, as the API's other fields
_CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # an earlier reported_at is refused

# A checked row (``Ready``) is a plain tuple (cheap to build and to send between processes);
# this one list names its positions, and through ITEM_FIELDS and REPORT_OWN the columns that
# intake writes (services.intake), so that a reordering cannot store a value in the wrong column.
READY = (
    "row",
    "dedupe_key",
    "key",
    "evidence",  # (sha256, size, file name) of a copied evidence file, or None
    "url",  # as reported, less any secret
    "canonical_url",
    "platform",
    "kind",
    "account",
    "parents",  # JSON text
    "flags",  # JSON text
    "title",
    "text",
    "language",
    "content_type",
    "group_name",
    "notes",
    "external_id",
    "evidence_path",
    "url_secret",
    "reported_at",
)
Ready = tuple[Any, ...]
ITEM_FIELDS = READY[READY.index("url") : READY.index("flags") + 1]  # after operation and key
REPORT_OWN = READY[READY.index("title") : READY.index("url_secret") + 1]  # the report's own
R_ROW, R_DEDUPE, R_KEY, R_EVIDENCE, R_URL, R_REPORTED_AT = (
    READY.index(name) for name in ("row", "dedupe_key", "key", "evidence", "url", "reported_at")
)
R_PARENTS = READY.index("parents")
R_ITEM = slice(READY.index(ITEM_FIELDS[0]), READY.index(ITEM_FIELDS[-1]) + 1)
R_REPORT = slice(READY.index(REPORT_OWN[0]), READY.index(REPORT_OWN[-1]) + 1)


@dataclass(slots=True)
class Rejection:
    row: int
    field: str
    code: str
    reason: str
    values: dict[str, str | None] = dc_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class EvidencePolicy:
    """Where ``evidence_path`` values may point (a file import's folder, or the folder the
    operator names), where files go, and the largest file read."""

    source_root: Path
    store_root: Path
    max_bytes: int


Checked = tuple[int, list[Ready], list[Rejection]]


class RowChecker:
    """Checks rows against one clock; remembers the date-times it has parsed (files repeat them)."""

    def __init__(self, evidence: EvidencePolicy | None = None) -> None:
        self.evidence = evidence
        self._clock()
        self._times: dict[str, datetime] = {}

    def batch(self, rows: list[Row]) -> Checked:
        self._clock()
        ready: list[Ready] = []
        rejections: list[Rejection] = []
        check = self.row
        for row in rows:
            checked = check(row)
            if type(checked) is tuple:
                ready.append(checked)
            else:
                rejections.append(checked)  # type: ignore[arg-type]
        return len(rows), ready, rejections

    def _clock(self) -> None:
        self.now = datetime.now(UTC)
        self.latest = self.now + timedelta(days=1)  # a later reported_at is in the future

    def row(self, row: Row) -> Ready | Rejection:
        """Check one row; the rejection names the row, the field and the reason."""
        if row.problem is not None:
            fld, code, msg = row.problem
            return Rejection(row.number, fld, code, msg, row.fields)
        f = row.fields
        get = f.get
        raw_url = get("url")
        if not raw_url:
            return Rejection(row.number, "url", "missing", "url is missing", f)
        for name, value in f.items():
            if value is None or len(value) <= _SHORTEST_LIMIT:
                continue  # the common case: shorter than any limit
            limit = LIMITS.get(name)
            if limit is not None and len(value) > limit:
                msg = f"{name} is {len(value)} characters, limit {limit}"
                return Rejection(row.number, name, "too_long", msg, f)
        if not "".join(filter(None, f.values())).isprintable():  # rare: look closer
            problem = text_problem(f)
            if problem is not None:
                return Rejection(row.number, *problem, f)
        try:
            ref = urls.parse(raw_url)
        except urls.UrlError as exc:
            return Rejection(row.number, "url", "invalid", f"url: {exc}", f)
        if ref.account is not None and len(ref.account) > ACCOUNT_LIMIT:
            msg = f"url: the account name is {len(ref.account)} characters, limit {ACCOUNT_LIMIT}"
            return Rejection(row.number, "url", "too_long", msg, f)
        reported_at = self.now
        raw_when = get("reported_at")
        if raw_when:
            when = self._times.get(raw_when)
            if when is None:  # a time once accepted stays accepted: the clock only moves on
                checked = check_time("reported_at", raw_when, latest=self.latest)
                if isinstance(checked, tuple):
                    return Rejection(row.number, "reported_at", *checked, f)
                when = checked
                if len(self._times) < 10_000:
                    self._times[raw_when] = when
            reported_at = when
        found: tuple[str, int, str] | None = None
        raw_evidence = get("evidence_path")
        if raw_evidence:
            stored = self._evidence(row, raw_evidence)
            if isinstance(stored, Rejection):
                return stored
            found = stored
        secret = ref.secret  # a decryption key: kept apart, never in the URL others see
        return (  # in READY's order
            row.number,
            dedupe_key(f),
            ref.key,
            found,
            ref.without_secret() if secret else raw_url,
            ref.canonical_url,
            ref.platform,
            ref.kind,
            ref.account,
            _json(ref.parents),
            _json(ref.flags),
            get("title"),
            get("text"),
            get("language"),
            get("content_type"),
            get("group"),
            get("notes"),
            get("external_id"),
            raw_evidence,
            secret,
            reported_at,
        )

    def _evidence(self, row: Row, raw: str) -> tuple[str, int, str] | Rejection:
        """Copy the evidence file into the store: (sha256, size, file name), or the rejection.

        It is read here, once, so what was checked is what is stored (see
        ``services.evidence.open_inside``)."""
        policy = self.evidence
        if policy is None:
            msg = "evidence_path is read from file imports only; upload evidence separately"
            return Rejection(row.number, "evidence_path", "not_here", msg, row.fields)
        # imported here: the helper process that checks rows needs no database modules
        from takedown.services.evidence import EvidenceRefused, store_file

        try:
            sha, size = store_file(
                policy.store_root,
                Path(raw),
                max_bytes=policy.max_bytes,
                inside=policy.source_root,
            )
        except EvidenceRefused as exc:
            return Rejection(row.number, "evidence_path", exc.code, str(exc), row.fields)
        return sha, size, os.path.basename(raw.rstrip("/\\")) or raw


def text_problem(fields: dict[str, str | None]) -> tuple[str, str, str] | None:
    """(field, code, reason) for the first field holding a control character (free text may
    hold tabs and line breaks) or a lone surrogate, which no database stores as text."""
    for name, value in fields.items():
        if not value:
            continue
        found = (_CONTROL_IN_FREE_TEXT if name in FREE_TEXT else _CONTROL).search(value)
        if found is not None:
            char = ord(found.group())
            if char == 0:
                return name, "nul", f"{name} contains a NUL byte"
            where = found.start() + 1
            return name, "control", f"{name} contains control character U+{char:04X} at {where}"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return name, "encoding", f"{name} is not valid text (at {exc.start + 1})"
    return None


def check_time(name: str, raw: str, *, latest: datetime) -> datetime | tuple[str, str]:
    """The one check of a date-time that intake accepts: an ISO 8601 date-time (a time
    without an offset is UTC) from 1990-01-01 to ``latest`` (now + 1 day), as an aware UTC
    datetime; otherwise (code, reason), code ``invalid``, ``too_early`` or ``future``."""
    shown = raw[:40]
    try:
        when = parse_time(raw)
    except OverflowError as exc:  # beyond datetime's range once in UTC: say which end
        code = "future" if exc.args and exc.args[0] == "late" else "too_early"
        return code, _TIME_RANGE[code].format(name=name, raw=shown)
    except ValueError:
        return "invalid", f"{name} {shown!r} is not an ISO 8601 date-time"
    if when < EARLIEST:
        return "too_early", _TIME_RANGE["too_early"].format(name=name, raw=shown)
    if when > latest:
        return "future", _TIME_RANGE["future"].format(name=name, raw=shown)
    return when


_TIME_RANGE = {
    "too_early": "{name} {raw} is before 1990-01-01",
    "future": "{name} {raw} is in the future",
}


_PLAIN = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but '"' and '\\': JSON as it stands


def _json(value: tuple[str, ...]) -> str:
    """Parents and flags as JSON, exactly as ``json.dumps(list(value), separators=(",", ":"))``
    writes them; the usual plain-ASCII strings are joined without the encoder's work."""
    if not value:
        return "[]"
    if _PLAIN.fullmatch(",".join(value)):
        return '["' + '","'.join(value) + '"]'
    return json.dumps(list(value), separators=(",", ":"))


def parse_time(text: str) -> datetime:
    """An ISO 8601 date-time as an aware UTC datetime; one without an offset is UTC.

    ``ValueError`` if it is not one; ``OverflowError`` (a ``ValueError`` too for a caller
    that does not care which), with ``"early"`` or ``"late"``, if it is one that lies beyond
    what a datetime holds once in UTC (``0001-01-01T00:00+14:00``)."""
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise _TimeOverflow("late" if when.year > 1 else "early") from None


class _TimeOverflow(OverflowError, ValueError):
    pass


def dedupe_key(fields: dict[str, str | None]) -> int:
    """Same (unit, external_id), or the same row content, is the same report.

    A signed 64-bit BLAKE2b digest, so the unique index stays small and fast; two different
    reports of one unit collide with odds of about n²/2⁶⁵ (≈ 3·10⁻⁸ at a million reports).
    """
    ext = fields.get("external_id")
    if ext:
        blob = "x\x1f" + ext
    else:
        blob = "h\x1f" + "\x1f".join([v or "" for v in map(fields.get, REPORT_FIELDS)])
    digest = hashlib.blake2b(blob.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the length of a file import.

    An import allocates millions of tuples and holds a batch's worth of them at a time; the
    collector scans those again and again and finds nothing, since rows, tuples and dicts
    here form no cycles. On a million rows that scanning cost about 1.5 s of the writer's
    time and 2.5 s of the helper's. The few cycles an import does make (a database session
    per transaction) wait for the collector's next run after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()  # what the import left for it is collected in the course of things


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
