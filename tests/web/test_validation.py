"""What /api/v1 accepts: ids, cursors, page sizes, lengths, characters and member states.

The routes and their fields are read from the OpenAPI document, so a new route, parameter or
body field is held to the same rules without touching this file (as datasette's error-shape
test does):

- an integer in a path (an id) or a query (a cursor, an offset, a page size) written as 2**63,
  -1, ``³``, ``٣``, ``１``, ``3_0``, ``+3`` or `` 3`` is a 422 whose ``problems`` name it; the
  largest id is valid, and merely unknown (404, or 403 where the caller may not use the route);
- every string a request carries declares its maximum length (or is one of an enum's names),
  and a NUL in it, or a value one past that maximum, is a 422 naming the field: never a 500 (PostgreSQL refuses NUL in text
  and over-long values in sized columns) and never stored (SQLite keeps whatever it is given);
- a member state is an EU member state code, in the API and in ``takedown unit create``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from takedown.domain.countries import EU_MEMBER_STATES, eu_member_state
from takedown.store.db import Database
from takedown.store.models import Unit
from takedown.web.app import discover_routers

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

INT64_MAX = 2**63 - 1
NOT_NUMBERS = [str(2**63), "-1", "³", "٣", "１", "3_0", "+3", " 3", "1.0", "9" * 40]
NOT_NAMES = ["\x00", "OP1\x00", "a" * 201, "٣", "9" * 20]
KEY = object()  # in a body path: the key of a mapping itself, not its value


def _openapi() -> dict[str, Any]:
    app = FastAPI()
    for router in discover_routers():
        app.include_router(router, prefix="/api/v1")
    return app.openapi()


DOC = _openapi()
OPERATIONS = [
    (method.upper(), path, op) for path, ops in DOC["paths"].items() for method, op in ops.items()
]

# Routes of modules that other changes own, not yet held to these rules. The marks are
# strict: once a route passes, its entry here fails the run until it is removed.
NOT_YET = {}
NOT_YET_FIELDS = {}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    schema = _resolve(schema)
    found = {schema["type"]} if "type" in schema else set()
    for branch in schema.get("anyOf", []):
        found |= _types(branch)
    return found


def _string_schema(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema)
    branches = [_resolve(b) for b in schema.get("anyOf", [])]
    return next((b for b in branches if b.get("type") == "string"), schema)


def _longest(schema: dict[str, Any]) -> int:
    """A string's maximum length: declared, or that of the longest name of its enum."""
    if "enum" in schema:
        return max(len(str(v)) for v in schema["enum"])
    assert "maxLength" in schema, "declares no maximum length"
    return int(schema["maxLength"])


def _params(where: str, kind: str) -> Iterator[Any]:
    for method, path, op in OPERATIONS:
        for param in op.get("parameters", []):
            if param["in"] == where and kind in _types(param["schema"]):
                marks = []
                if (method, path) in NOT_YET:
                    marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[(method, path)])]
                yield pytest.param(
                    method, path, param, id=f"{method} {path} {param['name']}", marks=marks
                )


def _url(path: str, **given: str) -> str:
    """The path with its parameters filled: ``given`` ones, else id 1 and operation OP1."""
    for name in _path_names(path):
        value = given.get(name, "OP1" if name == "op" else "1")
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _bearer(path: str, tokens: dict[str, str]) -> dict[str, str]:
    token = tokens["platform"] if path.startswith("/api/v1/platform/") else tokens["de"]
    return {"Authorization": f"Bearer {token}"}


def _names(response: Any, field: str) -> bool:
    """Whether a 422's ``problems`` name ``field``."""
    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert body["error"] == "invalid request"
    return any(p["field"] == field for p in body["problems"])


# -- integers: ids in paths, cursors and page sizes in queries ------------------------------


@pytest.mark.parametrize(("method", "path", "param"), list(_params("path", "integer")))
def test_a_path_id_is_ascii_digits_within_int64(
    client: TestClient, tokens: dict[str, str], method: str, path: str, param: dict[str, Any]
) -> None:
    name = param["name"]
    headers = _bearer(path, tokens)
    for value in [*NOT_NUMBERS, "0"]:
        r = client.request(method, _url(path, **{name: value}), headers=headers)
        assert _names(r, name), (value, r.json())
    # the largest id is a valid one that names nothing (a body, if the route takes one, is
    # missing here: then the 422 names the body, not the id)
    largest = client.request(method, _url(path, **{name: str(INT64_MAX)}), headers=headers)
    assert largest.status_code in (403, 404, 422), largest.text
    assert largest.status_code != 422 or not _names(largest, name), largest.text


@pytest.mark.parametrize(("method", "path", "param"), list(_params("query", "integer")))
def test_a_cursor_or_page_size_is_ascii_digits_within_int64(
    client: TestClient, tokens: dict[str, str], method: str, path: str, param: dict[str, Any]
) -> None:
    name = param["name"]
    headers = _bearer(path, tokens)
    for value in NOT_NUMBERS:
        r = client.request(method, _url(path), params={name: value}, headers=headers)
        assert _names(r, name), (value, r.json())
    schema = _resolve(param["schema"])
    top = min(int(schema.get("maximum", INT64_MAX)), INT64_MAX)
    largest = client.request(method, _url(path), params={name: str(top)}, headers=headers)
    assert largest.status_code in (200, 403), largest.text
    above = client.request(method, _url(path), params={name: str(top + 1)}, headers=headers)
    assert _names(above, name)


# -- strings in paths and queries ------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "param"), list(_params("path", "string")))
def test_a_name_in_a_path_has_no_control_character_and_a_bounded_length(
    client: TestClient, tokens: dict[str, str], method: str, path: str, param: dict[str, Any]
) -> None:
    name = param["name"]
    assert "maxLength" in _string_schema(param["schema"]), f"{name} declares no maximum length"
    for value in NOT_NAMES:
        r = client.request(method, _url(path, **{name: value}), headers=_bearer(path, tokens))
        assert _names(r, name), (value, r.json())


@pytest.mark.parametrize(("method", "path", "param"), list(_params("query", "string")))
def test_a_text_query_parameter_has_no_control_character_and_a_bounded_length(
    client: TestClient, tokens: dict[str, str], method: str, path: str, param: dict[str, Any]
) -> None:
    name = param["name"]
    longest = _longest(_string_schema(param["schema"]))
    headers = _bearer(path, tokens)
    for value in ["a\x00b", "x" * (longest + 1)]:
        r = client.request(method, _url(path), params={name: value}, headers=headers)
        assert _names(r, name), (value[:40], r.json())


# -- strings in request bodies ---------------------------------------------------------------


def _leaves(schema: dict[str, Any], at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string a body may carry: object fields, list items (index 0), the
    values of a mapping (key ``x``) and its keys (``KEY``)."""
    schema = _resolve(schema)
    for branch in schema.get("anyOf", []):
        yield from _leaves(branch, at)
    kind = schema.get("type")
    if kind == "string":
        yield at
    elif kind == "array":
        yield from _leaves(schema["items"], (*at, 0))
    elif kind == "object":
        for field, sub in schema.get("properties", {}).items():
            yield from _leaves(sub, (*at, field))
        if isinstance(schema.get("propertyNames"), dict):
            yield (*at, KEY)
        if isinstance(schema.get("additionalProperties"), dict):
            yield from _leaves(schema["additionalProperties"], (*at, "x"))


def _leaf_schema(schema: dict[str, Any], at: tuple[Any, ...]) -> dict[str, Any]:
    """The string schema at ``at`` (the first that fits where a union offers several)."""
    schema = _resolve(schema)
    if not at:
        return _string_schema(schema)
    branches = [schema, *(_resolve(b) for b in schema.get("anyOf", []))]
    head, rest = at[0], at[1:]
    for b in branches:
        if head is KEY and "propertyNames" in b:
            return dict(b["propertyNames"])
        if head == 0 and b.get("type") == "array":
            return _leaf_schema(b["items"], rest)
        if isinstance(head, str) and head in b.get("properties", {}):
            return _leaf_schema(b["properties"][head], rest)
        if head == "x" and isinstance(b.get("additionalProperties"), dict):
            return _leaf_schema(b["additionalProperties"], rest)
    raise AssertionError(f"no schema at {at}")


def _body(at: tuple[Any, ...], value: str) -> Any:
    out: Any = value
    for i in range(len(at) - 1, -1, -1):
        step = at[i]
        if step is KEY:
            out = {value: "x"}
        elif step == 0:
            out = [out]
        else:
            out = {step: out}
    return out


def _label(at: tuple[Any, ...]) -> str:
    return ".".join("<key>" if p is KEY else str(p) for p in at)


def _body_leaves() -> Iterator[Any]:
    for method, path, op in OPERATIONS:
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        schema = content["schema"]
        for at in dict.fromkeys(_leaves(schema)):
            marks = []
            reason = NOT_YET.get((method, path)) or NOT_YET_FIELDS.get((method, path, at[0]))
            if reason:
                marks = [pytest.mark.xfail(strict=True, reason=reason)]
            yield pytest.param(
                method, path, at, _leaf_schema(schema, at), id=f"{method} {path} {_label(at)}",
                marks=marks,
            )  # fmt: skip


def _problem_at(response: Any, at: tuple[Any, ...], says: str) -> bool:
    """Whether a problem names the field at ``at`` (unions add their branch names to the
    path, so the field's steps are looked for in order) and says ``says``."""
    assert response.status_code == 422, (response.status_code, response.text[:300])
    steps = [str(p) for p in at if p is not KEY]
    for problem in response.json()["problems"]:
        parts = iter(problem["field"].split("."))
        if all(step in parts for step in steps) and says in problem["error"]:
            return True
    return False


@pytest.mark.parametrize(("method", "path", "at", "schema"), list(_body_leaves()))
def test_every_string_in_a_body_refuses_nul_and_overlong_values(
    client: TestClient,
    tokens: dict[str, str],
    db: Database,
    method: str,
    path: str,
    at: tuple[Any, ...],
    schema: dict[str, Any],
) -> None:
    headers = _bearer(path, tokens)
    nul_text = "a\x00b"[: schema.get("maxLength", 3)]  # within the length, so NUL is the fault
    nul = client.request(method, _url(path), json=_body(at, nul_text), headers=headers)
    if "format" in schema or "enum" in schema:  # a date, a fixed value: not free text
        assert nul.status_code == 422, nul.text
        return
    assert _problem_at(nul, at, "U+0000"), nul.json()
    assert "maxLength" in schema, f"{_label(at)} declares no maximum length"
    long = "x" * (schema["maxLength"] + 1)
    over = client.request(method, _url(path), json=_body(at, long), headers=headers)
    assert _problem_at(over, at, "at most"), over.json()


# -- what passes -----------------------------------------------------------------------------


def test_free_text_keeps_tabs_and_line_breaks(client: TestClient, tokens: dict[str, str]) -> None:
    reason = "first line\r\n\tsecond line\nthird"
    r = client.post(
        "/api/v1/holds",
        json={"target": "https://t.me/example_chan/1", "reason": reason, "until": "2099-01-01T00:00:00Z"},
        headers=_bearer("/api/v1/holds", tokens),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["reason"] == reason
    bell = client.post(
        "/api/v1/holds",
        json={"target": "https://t.me/example_chan/2", "reason": "a\x07b", "until": "2099-01-01T00:00:00Z"},
        headers=_bearer("/api/v1/holds", tokens),
    )  # fmt: skip
    assert _problem_at(bell, ("reason",), "U+0007")
    line_break = client.post(
        "/api/v1/holds",
        json={"target": "https://t.me/example_chan/3\n", "reason": "r", "until": "2099-01-01T00:00:00Z"},
        headers=_bearer("/api/v1/holds", tokens),
    )  # fmt: skip
    assert _problem_at(line_break, ("target",), "U+000A")


def test_the_largest_cursor_is_an_empty_page(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get(
        "/api/v1/operations/OP1/items",
        params={"cursor": str(INT64_MAX)},
        headers=_bearer("/api/v1/operations", tokens),
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next": None}


# -- member states ---------------------------------------------------------------------------


def test_member_states_are_the_27_eu_codes() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert eu_member_state("de") == "DE"  # case folded
    assert eu_member_state("GR") == "EL"  # the ISO code of Greece, written as the EU writes it
    for bad in ("XYZ", "GB", "CH", "D", "", "ıe", "D\x00", " DE"):
        with pytest.raises(ValueError, match="not an EU member state"):
            eu_member_state(bad)


def test_an_order_names_an_eu_host_member_state(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _bearer("/api/v1/orders", tokens)
    for bad in ("XYZ", "GB", "ch", "ıe", "D"):
        r = client.post("/api/v1/orders", json={"host_member_state": bad}, headers=headers)
        assert _names(r, "host_member_state"), (bad, r.json())
    order = {"item_id": 1, "legal_ground": ["a"], "reasons": "r", "redress": "court, 1 month"}
    for good in ("de", "DE", "gr", "EL"):
        r = client.post(
            "/api/v1/orders", json={**order, "host_member_state": good}, headers=headers
        )
        assert r.status_code != 422, r.text  # valid: the analyst is then refused an order


def _takedown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> int:
    from takedown.cli import main
    from takedown.config import get_settings

    monkeypatch.setattr(sys, "argv", ["takedown", *args])
    get_settings.cache_clear()
    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def test_unit_create_takes_the_same_member_states(
    settings_env: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for bad in ("XYZ", "GB", "ıe"):
        code = _takedown(monkeypatch, capsys, "unit", "create", "U-" + bad, "--kind",
                         "referral_unit", "--member-state", bad)  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2, err
        assert "--member-state" in err and "not an EU member state" in err
        assert "Traceback" not in err
    code = _takedown(monkeypatch, capsys, "unit", "create", "U-DE", "--kind", "referral_unit",
                     "--member-state", "de", "--contact", "u@de.example")  # fmt: skip
    assert code == 0, capsys.readouterr().err
    with db.session() as s:
        assert s.scalars(select(Unit.name)).all() == ["U-DE"]
        assert s.scalar(select(Unit.member_state).where(Unit.name == "U-DE")) == "DE"


@pytest.mark.parametrize(
    "until",
    ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.999999-00:01"],
)
def test_a_hold_expiry_past_the_calendar_in_utc_is_a_400_not_a_500(
    client: TestClient, tokens: dict[str, str], until: str
) -> None:
    body = {"target": "https://t.me/overflow/1", "reason": "inquiry", "until": until}
    r = client.post("/api/v1/holds", json=body, headers=_bearer("/api/v1/holds", tokens))
    assert r.status_code == 400, r.text
    assert "outside the calendar" in r.json()["error"] and until[:10] in r.json()["error"]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30, "٣", "１"])
def test_an_id_in_a_body_is_an_ascii_int64_or_a_422(
    client: TestClient, tokens: dict[str, str], value: object
) -> None:
    body = {"item_id": value, "legal_ground": "a", "reasons": "r", "redress": "court"}
    r = client.post("/api/v1/orders", json=body, headers=_bearer("/api/v1/orders", tokens))
    assert _names(r, "item_id"), r.text
