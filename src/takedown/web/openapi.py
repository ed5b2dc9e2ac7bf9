"""The OpenAPI document, with the errors each operation can answer declared on it.

FastAPI declares a route's success answer and, where it takes input, a 422 in its own shape
(``HTTPValidationError``). ``declare_errors`` adds, once for every operation, the statuses
it can answer, each with the one error envelope (the ``Error`` schema):

- every operation: 400 (a path or query that is not text; a refused value), 500 and 503;
- an operation that needs a token: 401, 403 (a role that may not) and 429 (too many failed
  authentications from the client's address);
- a path with an id or name in it, or a body naming an id (``…_id``): 404;
- a body: 413 (over its cap), and 415 when it is JSON; any other write: 409;
- any input (parameters or a body): 422, whose body is the envelope with ``problems``.

A route's own declaration of a status is kept; only FastAPI's ``HTTPValidationError`` is
replaced, and that schema and ``ValidationError`` leave the document.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

ERROR = "#/components/schemas/Error"
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "title": "Error",
        "description": "Every error answer: what went wrong, and for a 422 each field's rule.",
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {"type": "string", "description": "What went wrong, for a person."},
            "problems": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Problem"},
                "description": "422: each field that broke a rule.",
            },
            "reference": {
                "type": "string",
                "description": "500: where the server log has the details.",
            },
        },
    },
    "Problem": {
        "title": "Problem",
        "type": "object",
        "required": ["field", "error"],
        "additionalProperties": False,
        "properties": {
            "field": {
                "type": "string",
                "description": "The field, dotted into a body (`answers.0.reason`), or `body`.",
            },
            "error": {"type": "string", "description": "The rule it broke."},
        },
    },
}
FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}
DESCRIPTIONS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("A refused request: the path or query is not text, or a value is not accepted.", {}),
    401: (
        "No token, or one that is unknown, expired or revoked.",
        {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    ),
    403: ("The token's role may not do this.", {}),
    404: ("Nothing with that id or name (or nothing this caller may see).", {}),
    409: ("It clashes with what is already there; nothing was written.", {}),
    413: ("The body is over this route's cap (or the batch has too many reports).", {}),
    415: ("The body is not JSON.", {}),
    422: ("The request does not match the schema: `problems` names each field.", {}),
    429: ("Too many failed authentications from this address.", RETRY_AFTER),
    500: ("A server error; `reference` finds it in the server log.", {}),
    503: ("The database is busy or unreachable; nothing was written.", RETRY_AFTER),
}
WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = WRITES | {"get", "head", "options", "trace"}


def install_openapi(app: FastAPI) -> None:
    """Serve FastAPI's document with ``declare_errors`` applied (once, then cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def statuses(method: str, operation: dict[str, Any], schemas: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer (see the module's docstring); ``schemas``
    are the document's, for the body's references."""
    found = {400, 500, 503}
    params = operation.get("parameters", [])
    body = operation.get("requestBody")
    if operation.get("security"):
        found |= {401, 403, 429}
    if any(p.get("in") == "path" for p in params) or (body and _names_an_id(body, schemas)):
        found.add(404)
    if body:
        found.add(413)
        if "application/json" in body.get("content", {}):
            found.add(415)
    if method in WRITES:
        found.add(409)
    if params or body:
        found.add(422)
    return found


def declare_errors(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the error statuses and the ``Error`` schema to every operation of ``doc``."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(SCHEMAS)
    for ops in doc.get("paths", {}).values():
        for method, operation in ops.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses(method, operation, schemas)):
                _declare(responses, status)
    text = json.dumps(doc["paths"])
    for name in FASTAPI_SCHEMAS:
        if f'"#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)
    return doc


def _declare(responses: dict[str, Any], status: int) -> None:
    description, headers = DESCRIPTIONS[status]
    content = {"application/json": {"schema": {"$ref": ERROR}}}
    declared = responses.get(str(status))
    if declared is None:
        responses[str(status)] = {"description": description, "content": content}
        if headers:
            responses[str(status)]["headers"] = headers
        return
    schema = declared.get("content", {}).get("application/json", {}).get("schema", {})
    if not declared.get("content") or schema.get("$ref", "").endswith("/HTTPValidationError"):
        declared["content"] = content
        if status == 422:
            declared["description"] = description


def _names_an_id(node: Any, schemas: dict[str, Any], seen: set[str] | None = None) -> bool:
    """A request body with a field ending in ``_id``, at any depth: the id may name nothing."""
    seen = set() if seen is None else seen
    if isinstance(node, list):
        return any(_names_an_id(v, schemas, seen) for v in node)
    if not isinstance(node, dict):
        return False
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return False
        seen.add(name)
        return _names_an_id(schemas.get(name), schemas, seen)
    properties = node.get("properties")
    if isinstance(properties, dict) and any(str(k).endswith("_id") for k in properties):
        return True
    return any(_names_an_id(v, schemas, seen) for v in node.values())
