"""Hash lists in and out: ThreatExchange ``local_file``, TCAP JSON, and CSV with a header.

- ``te``: one ``<type> <hash>`` per line, as python-threatexchange's ``local_file``
  collaboration reads and writes it (``pdq 3f…``, ``video_md5 …``); ``#`` starts a comment.
- ``tcap``: the JSON of TCAP's (Tech Against Terrorism's Terrorist Content Analytics
  Platform) hash-list API, ``GET https://app.terrorismanalytics.org/hash-list/v2/all``
  (query ``ideology``, ``limit``, ``offset``, ``order``, ``after``), as documented at
  https://docs.terrorismanalytics.org/docs/api-services/content-hash-list. One page is
  ``{"count", "next", "previous", "checkpoint", "results": [...]}`` and each result is
  ``{"id", "hash_digest", "algorithm", "ideology", "file_type", "deleted", "updated_on"}``
  with ``algorithm`` one of ``MD5``, ``SHA256``, ``SHA512``, ``PDQ``. TCAP's public page
  shows the endpoint and its parameters but not the response body; the field names above are
  those of the TCAP client in Meta's python-threatexchange
  (facebook/ThreatExchange, ``python-threatexchange/threatexchange/exchanges/clients/
  techagainstterrorism/api.py``: ``TATHashListResponse``, ``TATHashListEntry``, and its
  ``tests/test_api.py``). Read: ``hash_digest``/``algorithm``; ``ideology`` becomes the tag
  ``ideology:<value>``; ``id`` the external id; ``file_type`` and ``updated_on`` stay in the
  provenance; a record marked ``deleted`` is reported, not imported; ``SHA512`` and ``TMK``
  have no takedown signal type and are reported. Also read, as before: a bare list of records;
  an object holding one under ``results``/``data``/``items``/``hashes``; ``hash_type``/
  ``hash_value`` (the shape of TCAP's hash-verification API,
  https://terrorismanalytics.org/docs/hash-verification-v2); one key per algorithm (``md5``,
  ``sha256``, ``pdq``); ``group_name``/``entity``, ``tier``, ``behaviour`` as labels. Written:
  one v2 page (``next``, ``previous`` and ``checkpoint`` null) whose results carry the seven
  TCAP fields, plus ``takedown_labels`` (entity, tier, behaviour, tags) that TCAP does not
  define and a TCAP reader ignores, so that an export reads back with its labels.
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
# (type, value) field pairs: the hash-list API's, then the hash-verification API's
TCAP_PAIRS = (("algorithm", "hash_digest"), ("hash_type", "hash_value"))
TCAP_FIELDS = {"algorithm", "hash_digest", "hash_type", "hash_value", "deleted", "id"}
TCAP_EXTENSION = "takedown_labels"  # not a TCAP field: takedown's labels, read back on import


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
        yield from _tcap_record(n, rec)


def _tcap_record(n: int, rec: dict[str, Any]) -> Iterator[HashRecord | Rejected]:
    where = f"record {n}"
    if rec.get("deleted") is True:
        yield Rejected(where, f"deleted in TCAP (id {rec.get('id')}); not imported")
        return
    pairs: list[tuple[Any, Any]] = []
    for type_key, value_key in TCAP_PAIRS:
        if type_key in rec:
            pairs.append((rec.get(type_key), rec.get(value_key)))
    pairs += [(k, v) for k, v in rec.items() if k.lower() in ("md5", "sha256", "pdq")]
    if not pairs:
        yield Rejected(where, "no hash_digest/algorithm, hash_type/hash_value nor md5/sha256/pdq")
        return
    labels: dict[str, Any] = {"source": "tcap"}
    provenance: dict[str, Any] = {"record": n}
    rest: dict[str, Any] = {}
    extension: dict[str, Any] = {}
    for key, value in rec.items():
        if key in TCAP_LABELS:
            labels[TCAP_LABELS[key]] = value
        elif key == "ideology":
            labels["tags"] = [f"ideology:{value}"] if value else []
        elif key == TCAP_EXTENSION and isinstance(value, dict):
            extension = {k: v for k, v in value.items() if k in LABELS and k != "source"}
        elif key == "id" and value is not None:
            provenance["external_id"] = str(value)
        elif key not in TCAP_FIELDS and key.lower() not in ALIASES:
            rest[key] = value
    more = extension.pop("tags", [])
    tags = [*labels.pop("tags", []), *(t for t in more if isinstance(t, str))]
    labels |= extension | ({"tags": tags} if tags else {})
    provenance["tcap"] = rest
    for name, value in pairs:
        kind = _kind(str(name or ""))
        if kind is None or not isinstance(value, str) or not value.strip():
            yield Rejected(where, f"unsupported hash type {name!r} or empty value")
            continue
        yield HashRecord(kind, value.strip(), dict(labels), dict(provenance))


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


def _tcap_result(r: HashRecord) -> dict[str, Any]:
    """One record as a TCAP v2 hash-list result, with takedown's labels beside it."""
    tcap = r.provenance.get("tcap") or {}
    external = str(r.provenance.get("external_id") or "")
    tags = [t for t in r.labels.get("tags") or [] if isinstance(t, str)]
    ideology = next((t.removeprefix("ideology:") for t in tags if t.startswith("ideology:")), None)
    result: dict[str, Any] = {
        "id": int(external) if external.isdigit() else (external or None),
        "hash_digest": r.value,
        "algorithm": TCAP_NAMES[r.signal_type],
        "ideology": ideology,
        "file_type": tcap.get("file_type"),
        "deleted": False,
        "updated_on": tcap.get("updated_on"),
    }
    own = {k: r.labels[k] for k in ("entity", "tier", "behaviour") if r.labels.get(k)}
    other_tags = [t for t in tags if not t.startswith("ideology:")]
    if other_tags:
        own["tags"] = other_tags
    if own:
        result[TCAP_EXTENSION] = own
    return result


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
            out.append(_tcap_result(r))
        page = {"count": len(out), "next": None, "previous": None, "checkpoint": None}
        text = json.dumps(page | {"results": out}, indent=1, ensure_ascii=False)
        return text + "\n", skipped
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
