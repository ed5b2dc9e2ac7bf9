"""The OpenAPI document is a contract a platform can build on: every answer is typed.

Walked from ``/api/v1/openapi.json`` as a client reads it, so a new route is held to the same
rules without touching this file:

- every operation declares a 2xx response with a JSON schema;
- no response schema (followed through ``$ref``) holds an object without properties, an
  object with ``additionalProperties: true``, or a field without a type, except the named
  free-form fields ``labels`` and ``extra``; a mapping with typed values (an object whose
  ``additionalProperties`` is a schema) is typed;
- the vocabularies (states, verdicts, actions, statuses, platforms …) are enums, in requests
  and in responses;
- the document passes ``openapi-spec-validator`` where it is installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from takedown.domain.answers import Action
from takedown.domain.assessment import Verdict
from takedown.domain.deadlines import PauseReason
from takedown.domain.states import ItemState
from takedown.urls.registry import platform_names

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

FREE_FORM = frozenset({"labels", "extra"})
TYPED = ("type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const")


@pytest.fixture
def doc(client: TestClient) -> dict[str, Any]:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    document: dict[str, Any] = served.json()
    return document


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield f"{method.upper()} {path}", op


def _json_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = (
        response.get("content", {}).get("application/json", {}).get("schema")
    )
    return schema


def _untyped(doc: dict[str, Any], schema: Any, at: str, seen: frozenset[str]) -> Iterator[str]:
    """Where ``schema`` (at ``at``) holds an untyped value; refs are followed once a path."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return
        name = ref.rsplit("/", 1)[1]
        yield from _untyped(doc, doc["components"]["schemas"][name], name, seen | {ref})
        return
    if not any(k in schema for k in TYPED):
        yield f"{at}: no type"
        return
    for branch in ("anyOf", "oneOf", "allOf"):
        for n, sub in enumerate(schema.get(branch, [])):
            yield from _untyped(doc, sub, f"{at}[{branch} {n}]", seen)
    extra = schema.get("additionalProperties")
    if extra is True:
        yield f"{at}: additionalProperties is true"
    is_object = schema.get("type") == "object" or "properties" in schema
    if is_object and "properties" not in schema and not isinstance(extra, dict):
        yield f"{at}: an object without properties"
    for field, sub in schema.get("properties", {}).items():
        if field not in FREE_FORM:
            yield from _untyped(doc, sub, f"{at}.{field}", seen)
    if isinstance(extra, dict):
        yield from _untyped(doc, extra, f"{at}.*", seen)
    if "items" in schema:
        yield from _untyped(doc, schema["items"], f"{at}[]", seen)


def test_every_operation_declares_a_2xx_json_schema(doc: dict[str, Any]) -> None:
    missing = [
        where
        for where, op in _operations(doc)
        if not any(code.startswith("2") and _json_schema(r) for code, r in op["responses"].items())
    ]
    assert not missing, f"operations without a 2xx response schema: {missing}"


def test_no_response_schema_holds_an_untyped_value(doc: dict[str, Any]) -> None:
    found = [
        f"{where} {code}: {problem}"
        for where, op in _operations(doc)
        for code, response in op["responses"].items()
        for problem in _untyped(doc, _json_schema(response), "body", frozenset())
    ]
    assert not found, "\n".join(found)


def test_the_walk_finds_what_it_is_meant_to() -> None:
    doc: dict[str, Any] = {"components": {"schemas": {"Free": {"type": "object"}}}}
    cases = {
        "no type": {"type": "object", "properties": {"x": {"title": "X"}}},
        "additionalProperties is true": {"type": "object", "additionalProperties": True},
        "an object without properties": {"$ref": "#/components/schemas/Free"},
    }
    for says, schema in cases.items():
        assert any(says in p for p in _untyped(doc, schema, "body", frozenset())), says
    allowed = {
        "type": "object",
        "properties": {
            "labels": {"type": "object"},
            "extra": {},
            "by_id": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    }
    assert not list(_untyped(doc, allowed, "body", frozenset()))


def _fields(doc: dict[str, Any], schema: Any, seen: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """Every (field name, schema) a body, response or request, may carry."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is not None:
        if ref not in seen:
            target = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
            yield from _fields(doc, target, seen | {ref})
        return
    for branch in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(branch, []):
            yield from _fields(doc, sub, seen)
    for field, sub in schema.get("properties", {}).items():
        yield field, sub
        yield from _fields(doc, sub, seen)
    for sub in (schema.get("items"), schema.get("additionalProperties")):
        yield from _fields(doc, sub, seen)


def _enum(doc: dict[str, Any], schema: Any) -> set[str] | None:
    """The names a field's schema allows (null aside), or None when it is no enum."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return _enum(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "enum" in schema:
        return {str(v) for v in schema["enum"]}
    if "const" in schema:
        return {str(schema["const"])}
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if not branches:
        return None
    found: set[str] = set()
    for branch in branches:
        names = _enum(doc, branch)
        if names is None:
            return None
        found |= names
    return found


# Field names that carry a vocabulary wherever they appear, and a name each must allow.
VOCABULARY = {
    "state": ItemState.READY,
    "item_state": ItemState.READY,
    "verdict": Verdict.EXEMPT,
    "action": Action.REMOVED,
    "platform": "telegram",
    "addressee": "telegram",
    "kind": "post",
    "status": "open",
    "target_type": "account",
    "channel": "webhook",
    "subject_type": "order",
}


def test_vocabularies_are_enums_in_requests_and_responses(doc: dict[str, Any]) -> None:
    bodies: list[tuple[str, Any]] = []
    for where, op in _operations(doc):
        if " /api/v1/" not in where:  # /healthz's status is "ok" or "error", for probes
            continue
        for param in op.get("parameters", []):
            bodies.append((f"{where} ?{param['name']}", {"properties": {param["name"]: param}}))
        request = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        bodies.append((f"{where} request", request.get("schema")))
        for code, response in op["responses"].items():
            bodies.append((f"{where} {code}", _json_schema(response)))
    checked, loose = set(), []
    for where, body in bodies:
        for field, schema in _fields(doc, body, frozenset()):
            if field not in VOCABULARY:
                continue
            schema = schema.get("schema", schema)  # a parameter holds its schema
            names = _enum(doc, schema)
            checked.add(field)
            if names is None:
                loose.append(f"{where}: {field} is not an enum")
            elif field != "status" and field != "kind" and VOCABULARY[field] not in names:
                loose.append(f"{where}: {field} lacks {VOCABULARY[field]!r}")
    assert not loose, "\n".join(loose)
    assert checked == set(VOCABULARY)  # each is somewhere in the document


def test_enums_list_the_domain_vocabularies(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for enum in (ItemState, Verdict, Action, PauseReason):
        assert set(schemas[enum.__name__]["enum"]) == {m.value for m in enum}, enum.__name__
    platform = doc["components"]["schemas"]["ItemSummary"]["properties"]["platform"]
    assert platform["enum"] == platform_names()


@pytest.mark.skipif(
    importlib.util.find_spec("openapi_spec_validator") is None,
    reason="openapi-spec-validator is not installed",
)
def test_the_document_is_valid_openapi(doc: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(doc)
