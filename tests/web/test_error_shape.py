"""Every error the API answers has one shape, and every status an operation answers is
declared on it in the OpenAPI document (as datasette's ``test_error_shape`` does).

The routes come from the served document, so a new route is walked without touching this
file. Each is sent bad input: no token, a wrong token, unknown ids and names (as each kind
of caller), malformed JSON, a body that is not JSON, an oversize body, invalid values in the
path, the query and each body field; a wrong method on each path and an unknown path. Every
4xx and 5xx answer must be exactly ``{"error": str, "problems"?: [{"field", "error"}]}``
(``reference`` too on a 500), and its status declared for that operation.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from takedown.config import Settings
from takedown.errors import Conflict, Forbidden, NotFound, UserError
from takedown.store.db import Database
from takedown.web.app import body_limits, create_app
from takedown.web.guard import HYGIENE

from .conftest import API_MAX_REPORTS, TestClient
from .test_guard import served

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")
UNKNOWN_ID = str(2**63 - 1)
BAD_TOKEN = {"Authorization": "Bearer tdk_not-a-token"}
MAX_BODY = 64 * 1024


@pytest.fixture
def shape_settings(db_url: str, tmp_path: Path) -> Settings:
    """A high failure limit, so that the walk meets 401 rather than 429; a small body cap."""
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        api_max_reports=API_MAX_REPORTS,
        auth_failure_limit=100_000,
        max_body_bytes=MAX_BODY,
    )


@pytest.fixture
def walker(shape_settings: Settings, db: Database) -> Iterator[Walker]:
    with TestClient(create_app(shape_settings, db), raise_server_exceptions=False) as client:
        yield Walker(client, shape_settings)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the envelope ------------------------------------------------------------------------------


def envelope_problem(response: httpx.Response) -> str | None:
    """Why ``response`` is not the error envelope, or None."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"content-type {response.headers.get('content-type')!r}"
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:200]!r}"
    if not isinstance(body, dict):
        return f"not an object: {body!r}"
    allowed = {"error", "problems"} | ({"reference"} if response.status_code == 500 else set())
    if set(body) - allowed or "error" not in body:
        return f"keys {sorted(body)}"
    if not isinstance(body["error"], str) or not body["error"]:
        return f"error {body['error']!r}"
    problems = body.get("problems", [])
    if not isinstance(problems, list) or not all(
        isinstance(p, dict)
        and set(p) == {"field", "error"}
        and all(isinstance(v, str) for v in p.values())
        for p in problems
    ):
        return f"problems {problems!r}"
    if "reference" in body and not isinstance(body["reference"], str):
        return f"reference {body['reference']!r}"
    return None


class Walker:
    """Sends requests and notes each answer that breaks the contract."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.doc: dict[str, Any] = client.get(f"{API}/openapi.json").json()
        self.failures: list[str] = []
        self.seen: dict[int, int] = {}

    @property
    def operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            (method, path, op)
            for path, ops in self.doc["paths"].items()
            for method, op in ops.items()
            if method in METHODS
        ]

    def send(
        self,
        method: str,
        template: str | None,
        url: str,
        *,
        expect: set[int] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send; check the answer against the envelope and (``template``) the operation's
        declared statuses; with ``expect``, the status must be one of those."""
        response = self.client.request(method.upper(), url, **kwargs)
        status = response.status_code
        self.seen[status] = self.seen.get(status, 0) + 1
        where = f"{method.upper()} {url} ({template or 'no operation'}): {status}"
        if expect is not None and status not in expect:
            self.failures.append(f"{where}, expected {sorted(expect)}: {response.text[:300]}")
        if status >= 500:
            self.failures.append(f"{where}: a server error: {response.text[:300]}")
        if status < 400:
            return response
        problem = envelope_problem(response)
        if problem is not None:
            self.failures.append(f"{where}: not the envelope: {problem}")
        if template is not None:
            declared = self.doc["paths"][template][method]["responses"]
            if str(status) not in declared:
                self.failures.append(f"{where}: not declared (declared: {sorted(declared)})")
        return response

    def url(self, template: str, **values: str) -> str:
        url = template
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        return url

    def unknown(self, template: str, op: dict[str, Any]) -> str:
        """The path with an id or a name in each of its parameters that names nothing."""
        values = {}
        for param in op.get("parameters", []):
            if param["in"] == "path":
                integer = "integer" in json.dumps(param["schema"])
                values[param["name"]] = UNKNOWN_ID if integer else "NO-SUCH-NAME"
        return self.url(template, **values)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def body_schema(self, op: dict[str, Any]) -> dict[str, Any] | None:
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return self.resolve(content["application/json"]["schema"])

    def example(self, schema: dict[str, Any], depth: int = 0) -> Any:
        """A value the schema accepts, as far as a schema says (ids name nothing)."""
        schema = self.resolve(schema)
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            typed = [b for b in branches if self.resolve(b).get("type") != "null"]
            return self.example(typed[0] if typed else branches[0], depth)
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            return {
                name: self.example(props[name], depth + 1)
                for name in schema.get("required", [])
                if name in props and depth < 6
            }
        if kind == "array":
            return [self.example(schema.get("items", {}), depth + 1)] * schema.get("minItems", 1)
        if kind == "integer":
            return int(UNKNOWN_ID)
        if kind == "number":
            return 1.5
        if kind == "boolean":
            return False
        if schema.get("format") == "date-time":
            return "2030-01-01T00:00:00Z"
        return "x" * max(schema.get("minLength", 1), 1)

    def check(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def wrong(schema: dict[str, Any], walker: Walker) -> Any:
    """A value of a type the schema does not take, or None where it takes any."""
    schema = walker.resolve(schema)
    branches = [walker.resolve(b) for b in schema.get("anyOf", [schema])]
    types = {b.get("type") for b in branches}
    if None in types:
        return None
    for value, kind in (({"an": "object"}, "object"), ("not-a-number", "string"), (5, "integer")):
        if kind not in types and not (kind == "integer" and "number" in types):
            return value
    return None


# -- the document --------------------------------------------------------------------------------


def test_the_document_declares_the_envelope_and_not_fastapis_shape(walker: Walker) -> None:
    schemas = walker.doc["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert set(schemas["Error"]["properties"]) == {"error", "problems", "reference"}
    assert set(schemas["Problem"]["properties"]) == {"field", "error"}
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert "HTTPValidationError" not in json.dumps(walker.doc)
    for method, path, op in walker.operations:
        responses = op["responses"]
        errors = {s for s in responses if s[0] in "45"}
        expected = {"400", "500", "503"}
        if op.get("security"):
            expected |= {"401", "403", "429"}
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            expected |= {"404"}
        if op.get("requestBody"):
            expected |= {"413", "422"}
        if op.get("parameters"):
            expected |= {"422"}
        assert expected <= errors, (method, path, sorted(expected - errors))
        for status in errors:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    health = walker.doc["paths"]["/healthz"]["get"]["responses"]
    assert {"400", "500", "503"} <= set(health) and "401" not in health


# -- the walk ------------------------------------------------------------------------------------


def test_no_token_and_a_wrong_token_are_401_with_the_envelope(walker: Walker) -> None:
    secured = [(m, p, op) for m, p, op in walker.operations if op.get("security")]
    assert len(secured) >= 20
    for method, template, op in secured:
        url = walker.unknown(template, op)
        body = walker.example(walker.body_schema(op) or {}) if op.get("requestBody") else None
        for headers in ({}, BAD_TOKEN):
            r = walker.send(method, template, url, expect={401}, json=body, headers=headers)
            if r.headers.get("www-authenticate") != "Bearer":
                walker.failures.append(f"{method} {url}: no WWW-Authenticate: Bearer")
    walker.check()


@pytest.mark.parametrize("caller", ["de", "platform", "auditor"])
def test_unknown_ids_and_names_as_each_caller(
    walker: Walker, tokens: dict[str, str], caller: str
) -> None:
    """A valid body (as far as the schema says) with ids and names that name nothing."""
    auth = _bearer(tokens[caller])
    for method, template, op in walker.operations:
        url = walker.unknown(template, op)
        schema = walker.body_schema(op)
        body = walker.example(schema) if schema is not None else None
        walker.send(method, template, url, json=body, headers=auth)
    assert walker.seen.get(404, 0) + walker.seen.get(403, 0) >= 10, walker.seen
    walker.check()


def test_a_wrong_method_is_405_with_the_envelope_and_allow(walker: Walker) -> None:
    for template, ops in walker.doc["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", template)
        for method in METHODS:
            if method in ops:
                continue
            r = walker.send(method, None, url, expect={405})
            allowed = {m.strip().lower() for m in r.headers.get("allow", "").split(",")}
            if not set(ops) & allowed:
                walker.failures.append(f"{method} {url}: Allow {r.headers.get('allow')!r}")
    walker.check()


def test_an_unknown_path_is_404_with_the_envelope(walker: Walker) -> None:
    unknown = (
        f"{API}/no-such-path",
        "/no-such-path",
        f"{API}/items/1/no-such-thing",
        f"{API}/docs/assets/no-such-file.js",
    )
    for url in unknown:
        r = walker.send("get", None, url, expect={404})
        assert r.json() == {"error": f"no such path: {url}"}
    walker.check()


def test_malformed_json_is_422_naming_the_body(walker: Walker, tokens: dict[str, str]) -> None:
    # Without a token it may be a 401 or a 422: FastAPI reads the body first.
    for auth, expect in (({}, {401, 422}), (_bearer(tokens["de"]), {422})):
        for method, template, op in walker.operations:
            if walker.body_schema(op) is None:
                continue
            r = walker.send(
                method,
                template,
                walker.unknown(template, op),
                expect=expect,
                content=b'{"answers": [',
                headers={"Content-Type": "application/json", **auth},
            )
            fields = [p["field"] for p in r.json().get("problems", [])]
            if r.status_code == 422 and fields != ["body"]:
                walker.failures.append(f"{method} {template}: problems name {fields}")
    walker.check()


def test_a_body_that_is_not_json_is_415(walker: Walker, tokens: dict[str, str]) -> None:
    auth = _bearer(tokens["de"])
    for method, template, op in walker.operations:
        if walker.body_schema(op) is None:
            continue
        url = walker.unknown(template, op)
        for headers in ({"Content-Type": "text/plain"}, {}):
            walker.send(method, template, url, expect={415}, content=b"a=1", headers=auth | headers)
    walker.check()


def test_an_oversize_body_is_413_or_401_unread(walker: Walker, tokens: dict[str, str]) -> None:
    """Over the route's cap: 413; over the default cap of a route that takes more (a report
    batch) without a valid token: 401, the body unread."""
    limits = body_limits(walker.settings)
    auth = _bearer(tokens["de"])
    for method, template, op in walker.operations:
        if not op.get("requestBody"):
            continue
        url = walker.unknown(template, op)
        cap = limits.cap(method.upper(), url)[0]
        over = b'{"x": "' + b"a" * cap + b'"}'
        json_ = {"Content-Type": "application/json"}
        r = walker.send(method, template, url, expect={413}, content=over, headers=auth | json_)
        if "over the limit" not in r.json().get("error", ""):
            walker.failures.append(f"{method} {template}: {r.text[:200]}")
        if cap > MAX_BODY:
            under = b'{"x": "' + b"a" * MAX_BODY + b'"}'
            r = walker.send(method, template, url, expect={401}, content=under, headers=json_)
            if r.headers.get("www-authenticate") != "Bearer":
                walker.failures.append(f"{method} {template}: no WWW-Authenticate: Bearer")
    walker.check()


def test_too_many_reports_in_a_batch_is_413(walker: Walker, tokens: dict[str, str]) -> None:
    reports = [{"url": f"https://t.me/example_chan/{n}"} for n in range(API_MAX_REPORTS + 1)]
    template = f"{API}/operations/{{op}}/reports"
    r = walker.send(
        "post",
        template,
        walker.url(template, op="OP1"),
        expect={413},
        json={"reports": reports},
        headers=_bearer(tokens["de"]),
    )
    assert r.json() == {"error": f"{API_MAX_REPORTS + 1} reports in one batch; the limit is 5"}
    walker.check()


def test_invalid_values_are_422_naming_the_field(walker: Walker, tokens: dict[str, str]) -> None:
    """A path id or a query integer that is not a number, a name with a NUL, an unknown name
    in a query, and each body field of the wrong type."""
    auth = _bearer(tokens["de"])
    for method, template, op in walker.operations:
        params = op.get("parameters", [])
        schema = walker.body_schema(op)
        body = walker.example(schema) if schema is not None else None
        for param in params:
            integer = "integer" in json.dumps(param["schema"])
            if param["in"] == "path":
                bad = "not-a-number" if integer else "NO-SUCH%00NAME"
                url = walker.url(template, **{param["name"]: bad})
                query: dict[str, str] = {}
            elif param["in"] == "query":
                bad = "not-a-number" if integer else "NO-SUCH\x00VALUE"
                url, query = walker.unknown(template, op), {param["name"]: bad}
            else:
                continue
            r = walker.send(
                method, template, url, expect={422}, params=query, json=body, headers=auth
            )
            fields = [p["field"] for p in r.json().get("problems", [])]
            if param["name"] not in fields:
                walker.failures.append(f"{method} {template} {param['name']}: problems {fields}")
        if schema is None:
            continue
        for name, prop in schema.get("properties", {}).items():
            value = wrong(prop, walker)
            if value is None:
                continue
            bad_body = dict(body or {}) | {name: value}
            r = walker.send(
                method,
                template,
                walker.unknown(template, op),
                expect={422},
                json=bad_body,
                headers=auth,
            )
            fields = [p["field"].split(".")[0] for p in r.json().get("problems", [])]
            if name not in fields:
                walker.failures.append(f"{method} {template} body {name}: problems {fields}")
    walker.check()


def test_a_path_that_is_not_text_is_400_from_the_guard(walker: Walker) -> None:
    r = walker.send("get", f"{API}/items/{{item_id}}", f"{API}/items/%ff", expect={400})
    assert r.json()["error"].startswith("invalid text: the path is not UTF-8")
    walker.check()


def test_429_past_the_failure_limit_with_retry_after(
    db_url: str, db: Database, tmp_path: Path, tokens: dict[str, str]
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, auth_failure_limit=2)
    with TestClient(create_app(settings, db)) as client:
        walker = Walker(client, settings)
        template = f"{API}/holds"
        for _ in range(2):
            walker.send("get", template, template, expect={401}, headers=BAD_TOKEN)
        for headers in (BAD_TOKEN, _bearer(tokens["de"]), {}):
            r = walker.send("get", template, template, expect={429}, headers=headers)
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["error"].startswith("too many failed authentications from ")
    walker.check()


# -- each handler --------------------------------------------------------------------------------

RAISED: list[tuple[Exception, int, dict[str, str]]] = [
    (UserError("a bad value"), 400, {}),
    (Forbidden("not for this role"), 403, {}),
    (NotFound("no item with id 3"), 404, {}),
    (Conflict("item 3 already has a removal order"), 409, {}),
    (
        IntegrityError("INSERT", {}, type("E", (Exception,), {"sqlstate": "23505"})()),
        409,
        {},
    ),
    (HTTPException(413, "too many reports"), 413, {}),
    (HTTPException(401, "missing bearer token", {"WWW-Authenticate": "Bearer"}), 401, {}),
    (HTTPException(429, "too many", {"Retry-After": "7"}), 429, {"retry-after": "7"}),
    (OperationalError("BEGIN", {}, Exception("database is locked")), 503, {"retry-after": "2"}),
    (PoolTimeout("QueuePool limit reached"), 503, {"retry-after": "2"}),
    (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), 400, {}),
]


@pytest.mark.parametrize(
    ("raised", "status", "headers"), RAISED, ids=[f"{type(r).__name__}-{s}" for r, s, _ in RAISED]
)
def test_each_error_a_route_raises_is_the_envelope(
    settings: Settings, db: Database, raised: Exception, status: int, headers: dict[str, str]
) -> None:
    app = create_app(settings, db)

    @app.get("/raises")
    def raises() -> None:
        raise raised

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/raises")
    assert r.status_code == status
    assert envelope_problem(r) is None, r.text
    assert set(r.json()) == {"error"}
    for name, value in headers.items():
        assert r.headers[name] == value
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"


def test_a_bug_is_a_500_with_a_reference_and_no_traceback(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, db)

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError("secret detail of the bug")

    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="takedown.web"),
    ):
        r = client.get("/bug")
    assert r.status_code == 500
    assert envelope_problem(r) is None, r.text
    body = r.json()
    assert set(body) == {"error", "reference"}
    assert body["reference"] in body["error"]
    assert "secret detail" not in r.text and "Traceback" not in r.text
    assert "RuntimeError" not in r.text
    # It leaves outside the guard, and still carries the hygiene headers.
    for name, value in HYGIENE:
        assert r.headers[name.decode()] == value.decode()
    # The server log has the traceback under the reference.
    logged = [rec for rec in caplog.records if body["reference"] in rec.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "secret detail of the bug" in str(logged[0].exc_info[1])


def test_healthz_503_is_the_envelope(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(_db: Database) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("takedown.web.app.ping", down)
    with TestClient(create_app(settings, db)) as client:
        r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"error": "the database does not answer (OperationalError)"}


def test_the_header_cap_refusal_is_the_envelope(db_url: str, db: Database, tmp_path: Path) -> None:
    """431 comes from the HTTP protocol, below the app: the same envelope."""
    settings = Settings(
        data_dir=tmp_path / "var", database_url=db_url, log_level="warning", max_header_bytes=4096
    )
    with served(settings, db) as port, socket.create_connection(("127.0.0.1", port)) as sock:
        with suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"p" * 8192 + b"\r\n\r\n")
        sock.settimeout(5)
        answer = b""
        with suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431"), answer[:200]
    assert json.loads(body) == {
        "error": "request headers over the limit of 4096 bytes (TAKEDOWN_MAX_HEADER_BYTES)"
    }
