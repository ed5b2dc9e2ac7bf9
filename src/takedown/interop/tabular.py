"""Read report rows from CSV or JSONL, streaming, without ever raising on a bad row.

Each row comes out as a ``Row``: its number (as a spreadsheet shows it, header = row 1; for
JSONL the line number), its fields by canonical name, or the problem that made it unreadable.
File-level problems (missing, empty, too big, no ``url`` column, not text) raise ``UserError``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from takedown.errors import UserError

REPORT_FIELDS = (
    "url",
    "title",
    "text",
    "language",
    "content_type",
    "group",
    "notes",
    "reported_at",
    "external_id",
    "evidence_path",
)
ALIASES = {
    "link": "url",
    "content": "text",
    "lang": "language",
    "type": "content_type",
    "contenttype": "content_type",
    "group_name": "group",
    "entity": "group",
    "note": "notes",
    "date": "reported_at",
    "reported": "reported_at",
    "id": "external_id",
    "externalid": "external_id",
    "reference": "external_id",
    "evidence": "evidence_path",
    "evidencepath": "evidence_path",
}
NUL_MARK = "\ufffe"  # stands in for NUL so the csv module can read on; rows holding it are rejected
FIELD_LIMIT = 1024 * 1024
_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Office document (.xls?)",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}


@dataclass(slots=True)
class Row:
    number: int
    fields: dict[str, str | None] = field(default_factory=dict)
    problem: tuple[str, str, str] | None = None  # (field, code, message)


@dataclass
class Source:
    """An opened report file: its format, its columns, and a stream of rows."""

    path: Path
    format: str
    encoding: str
    size: int
    ignored_fields: set[str]
    _handle: IO[bytes]
    _rows: Iterator[Row]
    _text: IO[str] | None = None
    nul_free: bool = False  # a CSV file found to hold no NUL (read with no per-line code)

    def rows(self) -> Iterator[Row]:
        return self._rows

    def bytes_read(self) -> int:
        try:
            return self._handle.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        if self._text is not None:
            self._text.close()  # closes the binary handle under it too
        self._handle.close()


def normalise_name(name: str) -> str:
    key = name.strip().strip("\ufeff").lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key.replace("_", ""), ALIASES.get(key, key))
    return key


def open_source(
    path: Path, *, encoding: str | None = None, max_bytes: int, nul_free: bool | None = None
) -> Source:
    """Open a report file. ``nul_free`` passes on what an earlier opening of the same file
    found (``Source.nul_free``), so that it is not read through again to find out."""
    if encoding is not None:
        encoding = text_encoding(encoding)
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{path}: the file is empty (expected a header row or JSON lines)")
    if size > max_bytes:
        raise UserError(
            f"{path}: the file is {size / 1024**3:.1f} GiB, over the import limit of "
            f"{max_bytes / 1024**3:.1f} GiB (TAKEDOWN_IMPORT_MAX_BYTES); split it or raise the limit"
        )
    handle = path.open("rb")
    head = handle.read(4096)
    handle.seek(0)
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            handle.close()
            raise UserError(f"{path}: this is {what}, not CSV or JSONL; export it as CSV (UTF-8)")
    enc = encoding or _sniff_encoding(head)
    try:
        codecs.getincrementaldecoder(enc)("surrogateescape").decode(head, final=False)
    except UnicodeError as exc:  # e.g. --encoding utf-16 for a file without its BOM
        handle.close()
        raise UserError(f"{path}: not {enc} text ({exc}); check --encoding") from None
    text = io.TextIOWrapper(handle, encoding=enc, errors="surrogateescape", newline="")
    first = head.lstrip(codecs.BOM_UTF8).lstrip()
    is_json = path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or first[:1] == b"{"
    ignored: set[str] = set()
    try:
        if is_json:
            rows = _jsonl_rows(text, ignored)
            fmt = "jsonl"
        else:
            if nul_free is None:
                nul_free = _nul_free(handle, enc)
            rows = _csv_rows(path, text, ignored, nul_free)
            fmt = "csv"
    except (UserError, UnicodeError) as exc:
        text.close()
        if isinstance(exc, UnicodeDecodeError):
            raise UserError(
                f"{path}: not valid {enc} text at byte {exc.start}: {exc.reason}"
            ) from None
        if isinstance(exc, UnicodeError):
            raise UserError(f"{path}: not {enc} text ({exc}); check --encoding") from None
        raise
    rows = _decoding(path, enc, rows)
    return Source(
        path, fmt, enc, size, ignored, handle, rows, text, fmt == "csv" and bool(nul_free)
    )


def text_encoding(name: str) -> str:
    """``name`` if it is a text encoding that a report file can be read in; else ``UserError``.

    ``codecs.lookup`` knows codecs that are no text encodings (``rot13``, ``base64``, ``zlib``)
    and text encodings that cannot read a file (``idna``, ``undefined``): each must round-trip
    the text of a header, decoding as a file is decoded."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UserError(
            f"unknown encoding {name!r} (e.g. utf-8, utf-16, cp1252, latin-1)"
        ) from None
    try:
        ok = getattr(info, "_is_text_encoding", True) and (
            codecs.decode(codecs.encode("url,title", name), name, "surrogateescape") == "url,title"
        )
    except Exception:  # any codec's refusal, whatever its class
        ok = False
    if not ok:
        raise UserError(
            f"encoding {name!r} is not a text encoding that a report file can be read in "
            "(e.g. utf-8, utf-16, cp1252, latin-1)"
        )
    return name


def _decoding(path: Path, encoding: str, rows: Iterator[Row]) -> Iterator[Row]:
    """Turn a decoder failure mid-file (e.g. a truncated UTF-16 file) into a clear error."""
    try:
        yield from rows
    except UnicodeError as exc:
        where = (
            f"near byte {exc.start} ({exc.reason})"
            if isinstance(exc, UnicodeDecodeError)
            else f"({exc})"
        )
        raise UserError(
            f"{path}: not valid {encoding} text {where}; the rows "
            "before it were imported, and running the import again after fixing the file skips them"
        ) from None


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _lines(text: IO[str], nul_free: bool) -> Iterator[str]:
    """The text's lines, NUL replaced by ``NUL_MARK`` (the csv module stops at NUL); a file
    known to hold no NUL is read as it is, with no Python code run per line."""
    if nul_free:
        return iter(text)
    return (line.replace("\x00", NUL_MARK) if "\x00" in line else line for line in text)


def _nul_free(handle: IO[bytes], encoding: str) -> bool:
    """Whether the file holds no NUL character, found without decoding it: in UTF-8 and the
    single-byte encodings, that is no zero byte (UTF-16 and UTF-32 text is full of them)."""
    if "16" in encoding or "32" in encoding:
        return False
    try:
        while block := handle.read(1 << 24):
            if b"\x00" in block:
                return False
        return True
    finally:
        handle.seek(0)


def _csv_rows(path: Path, text: IO[str], ignored: set[str], nul_free: bool) -> Iterator[Row]:
    csv.field_size_limit(FIELD_LIMIT)
    lines = _lines(text, nul_free)
    sample = ""
    try:
        header_line = next(lines)
    except StopIteration:
        raise UserError(f"{path}: the file is empty") from None
    sample = header_line
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    if header_line.count(";") > header_line.count(",") or "\t" in header_line:
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
    header = next(csv.reader([header_line], dialect))
    names = [normalise_name(h) for h in header]
    if _bad_text(header_line):
        raise UserError(
            f"{path}: the header row is not valid text in this encoding; try --encoding"
        )
    if "url" not in names:
        shown = ", ".join(h.strip() for h in header[:12]) or "(nothing)"
        raise UserError(f"{path}: no 'url' column in the header; found: {shown}")
    dupes = {n for n in names if names.count(n) > 1 and n in REPORT_FIELDS}
    if dupes:
        raise UserError(f"{path}: column(s) named twice: {', '.join(sorted(dupes))}")
    for n in names:
        if n not in REPORT_FIELDS:
            ignored.add(n or "(blank)")
    return _csv_body(csv.reader(lines, dialect), names)


def _csv_body(reader: Iterator[list[str]], names: list[str]) -> Iterator[Row]:
    number = 1
    width = len(names)
    known = [(i, n) for i, n in enumerate(names) if n in _KNOWN]
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(number, problem=("row", "malformed", f"malformed CSV: {exc}"))
            continue
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            number -= 1  # blank lines are not rows
            continue
        if len(cells) == width and "".join(cells).isascii():
            # The common case, as _checked does it: ASCII (so no NUL mark, nothing undecodable),
            # every cell there; blank cells are None.
            yield Row(number, {name: cells[i].strip() or None for i, name in known})
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            yield Row(
                number,
                problem=(
                    "row",
                    "extra_cells",
                    f"row has {len(cells)} cells, the header has {width}",
                ),
            )
            continue
        yield _checked(number, dict(zip(names, cells, strict=False)))


def _jsonl_rows(text: IO[str], ignored: set[str]) -> Iterator[Row]:
    number = 0
    for line in _lines(text, nul_free=False):
        number += 1
        if not line.strip():
            continue
        if _bad_text(line):
            yield Row(
                number, {"url": line.strip()[:2000]}, problem=("row", "encoding", _ENCODING_MSG)
            )
            continue
        try:
            obj: Any = json.loads(line.replace(NUL_MARK, "\\u0000"))
        except json.JSONDecodeError as exc:
            yield Row(
                number,
                problem=("row", "invalid_json", f"invalid JSON: {exc.msg} at column {exc.colno}"),
            )
            continue
        if not isinstance(obj, dict):
            yield Row(number, problem=("row", "not_object", "each line must be a JSON object"))
            continue
        fields, bad = object_fields(obj, ignored)
        if bad:
            yield Row(number, problem=bad)
            continue
        yield _checked(number, {k: v.replace("\x00", NUL_MARK) for k, v in fields.items()})


_JSON_KIND: dict[type, str] = {dict: "object", list: "array"}


def object_fields(
    obj: dict[str, Any], ignored: set[str]
) -> tuple[dict[str, str], tuple[str, str, str] | None]:
    """A JSON object's report fields as text, the one way for a JSONL line and an API report
    (so the same report is the same row, and hashes to the same dedupe key, either way).

    Names are normalised, unknown ones added to ``ignored``, nulls left out; numbers and
    booleans are written as JSON writes them (``true``, ``1.5``); an object or an array is
    the row's problem ``(field, "not_text", message)``."""
    fields: dict[str, str] = {}
    for raw_key, value in obj.items():
        key = normalise_name(str(raw_key))
        if key not in REPORT_FIELDS:
            ignored.add(str(raw_key))
            continue
        if value is None:
            continue
        if isinstance(value, str):
            fields[key] = value
        elif isinstance(value, bool | int | float):
            fields[key] = json.dumps(value)
        else:
            kind = _JSON_KIND.get(type(value), type(value).__name__)
            return fields, (key, "not_text", f"{key} must be text, not a JSON {kind}")
    return fields, None


_ENCODING_MSG = "not valid text in the file's encoding (UTF-8 unless --encoding is given)"


def _bad_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_KNOWN = frozenset(REPORT_FIELDS)


def _known(fields: dict[str, str]) -> dict[str, str | None]:
    return {k: v for k, v in fields.items() if k in _KNOWN}


def _checked(number: int, fields: dict[str, str]) -> Row:
    whole = "".join(fields.values())
    # ASCII text holds neither the NUL mark nor undecodable bytes, and most rows are ASCII
    if not whole.isascii() and (NUL_MARK in whole or _bad_text(whole)):  # rare: name the field
        for key, value in fields.items():
            if key in _KNOWN and NUL_MARK in value:
                cells: dict[str, str | None] = {
                    k: v.replace(NUL_MARK, "\\0") for k, v in _known(fields).items() if v
                }
                return Row(number, cells, problem=(key, "nul", f"{key} contains a NUL byte"))
            if key in _KNOWN and _bad_text(value):
                return Row(
                    number, _known(fields), problem=(key, "encoding", f"{key}: {_ENCODING_MSG}")
                )
    clean: dict[str, str | None] = {}
    for key, value in fields.items():
        if key in _KNOWN:
            clean[key] = value.strip() or None
    return Row(number, clean)
