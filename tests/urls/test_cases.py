"""The hand-written tables in tests/urls/cases/: one file per platform (or class of wrapper),
each row a URL shape with what it must parse to, written by hand, and where the shape is from.

A row is ``(url, key, id, account, source)`` or the same with a dict of extras: ``parents``
(exact), ``flags`` (each must be present), ``secret`` (exact; otherwise it must be None). The
platform and kind are the key's first two parts. ``REFUSED`` rows are ``(url, message regex,
source)``: inputs that must raise UrlError.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from takedown.urls import UrlError, parse
from takedown.urls.registry import platform_names

CASES = Path(__file__).resolve().parent / "cases"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"url_cases_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TABLES = {path.stem: _load(path) for path in sorted(CASES.glob("*.py"))}
ROWS = [(name, row) for name, table in TABLES.items() for row in table.CASES]
REFUSED = [(name, row) for name, table in TABLES.items() for row in getattr(table, "REFUSED", [])]


def _id(item: tuple[str, tuple[Any, ...]]) -> str:
    return f"{item[0]}:{item[1][0]}"


def test_every_row_names_a_source_of_its_table() -> None:
    for name, table in TABLES.items():
        rows = [*table.CASES, *getattr(table, "REFUSED", [])]
        unknown = {row[4] if len(row) > 3 else row[2] for row in rows} - set(table.SOURCES)
        assert not unknown, f"{name}: sources not in SOURCES: {unknown}"


@pytest.mark.parametrize("item", ROWS, ids=[_id(i) for i in ROWS])
def test_url_shape(item: tuple[str, tuple[Any, ...]]) -> None:
    url, key, id_, account, _source, *rest = item[1]
    extras: dict[str, Any] = rest[0] if rest else {}
    ref = parse(url)
    platform, kind, _ = key.split(":", 2)
    got = (ref.platform, ref.kind, ref.key, ref.id, ref.account)
    assert got == (platform, kind, key, id_, account)
    if "parents" in extras:
        assert ref.parents == extras["parents"]
    assert set(extras.get("flags", ())) <= set(ref.flags)
    assert ref.secret == extras.get("secret")
    again = parse(ref.canonical_url)
    assert (again.key, again.canonical_url) == (ref.key, ref.canonical_url)
    if ref.secret:
        assert ref.secret not in ref.key + ref.canonical_url + "".join(ref.parents)


@pytest.mark.parametrize("item", REFUSED, ids=[_id(i) for i in REFUSED])
def test_refused(item: tuple[str, tuple[str, str, str]]) -> None:
    url, message, _source = item[1]
    with pytest.raises(UrlError, match=re.compile(message, re.IGNORECASE)):
        parse(url)


def test_every_platform_is_in_the_docs() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "urls.md").read_text(encoding="utf-8")
    row = next(line for line in docs.splitlines() if line.startswith("| `platform` |"))
    listed = set(row.split("`")[3].split())
    assert listed | {"web"} == set(platform_names()) | {"web"}
