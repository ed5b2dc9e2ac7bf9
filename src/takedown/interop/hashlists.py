"""Hash lists in and out: ThreatExchange ``local_file``, TCAP JSON, and CSV with a header.

- ``te``: one ``<type> <hash>`` per line, as python-threatexchange's ``local_file``
  collaboration reads and writes it (``pdq 3f…``, ``video_md5 …``); ``#`` starts a comment.
- ``tcap``: the JSON that the TCAP hash-list API returns: a list of records, or an object
  holding one under ``results``/``data``/``items``/``hashes``. A record carries
  ``hash_type``/``hash_value`` (as in TCAP's hash-verification API) or one key per
  algorithm (``md5``, ``sha256``, ``pdq``); ``group_name``/``entity``, ``ideology``,
  ``tier``, ``behaviour`` become labels, the other fields stay in the provenance.
- ``csv``: a header row; ``signal_type`` (or ``hash_type``) and ``value`` (or ``hash``,
  ``hash_value``) are required; ``entity``, ``tier``, ``behaviour``, ``source``, ``tags``
  (``;``-separated) and ``external_id`` are optional.

Parsers yield ``HashRecord``s or ``Rejected`` lines, so one bad line never stops an import.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from takedown.interop.csvsafe import write_csv

FORMATS = ("te", "tcap", "csv")
LABELS = ("entity", "tier", "behaviour", "source", "tags")
# names other tools use for our signal types
ALIASES = {
    "pdq": "pdq",
    "vpdq": "vpdq",
    "md5": "md5",
    "video_md5": "md5",
    "photo_md5": "md5",
    "sha256": "sha256",
    "video_sha256": "sha256",
    "photo_sha256": "sha256",
}
TE_NAMES = {"pdq": "pdq", "md5": "video_md5", "sha256": "video_sha256"}
TCAP_NAMES = {"pdq": "PDQ", "md5": "MD5", "sha256": "SHA256"}
TCAP_LABELS = {"group_name": "entity", "entity": "entity", "tier": "tier", "behaviour": "behaviour"}


@dataclass
class HashRecord:
    signal_type: str
    value: str
    labels: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rejected:
    where: str
    error: str


def parse(fmt: str, text: str) -> Iterator[HashRecord | Rejected]:
    if fmt == "te":
        return _parse_te(text)
    if fmt == "tcap":
        return _parse_tcap(text)
    if fmt == "csv":
        return _parse_csv(text)
    raise ValueError(f"unknown hash list format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _kind(name: str) -> str | None:
    return ALIASES.get(name.strip().lower())


def _parse_te(text: str) -> Iterator[HashRecord | Rejected]:
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition(" ")
        kind = _kind(name)
        if kind is None or not value.strip():
            yield Rejected(f"line {lineno}", f"expected '<type> <hash>', got {line[:80]!r}")
            continue
        yield HashRecord(kind, value.strip(), provenance={"line": lineno, "type_name": name})


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("results", "data", "items", "hashes"):
            if isinstance(doc.get(key), list):
                return list(doc[key])
    raise ValueError("TCAP JSON: expected a list of records or an object with 'results'")


def _parse_tcap(text: str) -> Iterator[HashRecord | Rejected]:
    try:
        records = _records(json.loads(text))
    except (json.JSONDecodeError, ValueError) as exc:
        yield Rejected("file", f"not TCAP hash-list JSON: {exc}")
        return
    for n, rec in enumerate(records, 1):
        if not isinstance(rec, dict):
            yield Rejected(f"record {n}", "not a JSON object")
            continue
        pairs = [(rec.get("hash_type"), rec.get("hash_value"))] if "hash_type" in rec else []
        pairs += [(k, v) for k, v in rec.items() if k.lower() in ("md5", "sha256", "pdq")]
        if not pairs:
            yield Rejected(f"record {n}", "no hash_type/hash_value nor md5/sha256/pdq field")
            continue
        labels: dict[str, Any] = {"source": "tcap"}
        rest: dict[str, Any] = {}
        for key, value in rec.items():
            if key in TCAP_LABELS:
                labels[TCAP_LABELS[key]] = value
            elif key == "ideology":
                labels["tags"] = [f"ideology:{value}"]
            elif key not in ("hash_type", "hash_value") and key.lower() not in ALIASES:
                rest[key] = value
        for name, value in pairs:
            kind = _kind(str(name or ""))
            if kind is None or not isinstance(value, str):
                yield Rejected(f"record {n}", f"unsupported hash type {name!r}")
                continue
            yield HashRecord(kind, value, dict(labels), {"record": n, "tcap": rest})


def _parse_csv(text: str) -> Iterator[HashRecord | Rejected]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    type_col = next((h for h in ("signal_type", "hash_type", "type") if h in header), None)
    value_col = next((h for h in ("value", "hash", "hash_value") if h in header), None)
    if type_col is None or value_col is None:
        yield Rejected("header", "CSV needs a signal_type column and a value column")
        return
    reader.fieldnames = header
    for lineno, row in enumerate(reader, 2):
        kind = _kind(row.get(type_col) or "")
        value = (row.get(value_col) or "").strip()
        if kind is None or not value:
            yield Rejected(
                f"line {lineno}", f"bad signal type or empty value: {row.get(type_col)!r}"
            )
            continue
        labels: dict[str, Any] = {}
        for name in LABELS:
            cell = (row.get(name) or "").strip()
            if cell:
                labels[name] = (
                    [t.strip() for t in cell.split(";") if t.strip()] if name == "tags" else cell
                )
        provenance: dict[str, Any] = {"line": lineno}
        if row.get("external_id"):
            provenance["external_id"] = row["external_id"]
        yield HashRecord(kind, value, labels, provenance)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def render(fmt: str, records: Iterable[HashRecord]) -> tuple[str, int]:
    """The list as text, and how many records this format could not carry."""
    skipped = 0
    if fmt == "te":
        lines = []
        for r in records:
            if r.signal_type in TE_NAMES:
                lines.append(f"{TE_NAMES[r.signal_type]} {r.value}")
            else:
                skipped += 1
        return "".join(line + "\n" for line in lines), skipped
    if fmt == "tcap":
        out = []
        for r in records:
            if r.signal_type not in TCAP_NAMES:
                skipped += 1
                continue
            rec: dict[str, Any] = {"hash_type": TCAP_NAMES[r.signal_type], "hash_value": r.value}
            if "entity" in r.labels:
                rec["group_name"] = r.labels["entity"]
            rec |= {k: r.labels[k] for k in ("tier", "behaviour") if k in r.labels}
            out.append(rec)
        return json.dumps(
            {"count": len(out), "results": out}, indent=1, ensure_ascii=False
        ) + "\n", skipped
    if fmt == "csv":
        buf = io.StringIO()
        header = ["signal_type", "value", *LABELS, "external_id"]
        rows = (
            [
                r.signal_type,
                r.value,
                *(_cell(r.labels.get(k)) for k in LABELS),
                r.provenance.get("external_id", ""),
            ]
            for r in records
        )
        write_csv(buf, header, rows)
        return buf.getvalue(), skipped
    raise ValueError(f"unknown hash list format {fmt!r}: expected one of {', '.join(FORMATS)}")
