"""HTTP hygiene: every answer says nosniff, no-store, no-referrer and a Content-Security-Policy;
the API docs page still loads under its own policy; the server names no software."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from takedown.cli.serve import uvicorn_options
from takedown.config import Settings
from takedown.store.db import Database
from takedown.web.app import create_app
from takedown.web.guard import JSON_CSP

from .conftest import TestClient


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_hygienic(headers: dict[str, str] | object, csp: str | None = JSON_CSP) -> None:
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert headers["referrer-policy"] == "no-referrer"  # type: ignore[index]
    assert headers["cache-control"] == "no-store"  # type: ignore[index]
    if csp is not None:
        assert headers["content-security-policy"] == csp  # type: ignore[index]


def test_json_answers_carry_the_hygiene_headers(client: TestClient, tokens: dict[str, str]) -> None:
    auth = _bearer(tokens["de"])
    answers = [
        client.get("/healthz"),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/operations/OP1/items", headers=auth),  # 200, authenticated
        client.get("/api/v1/operations/OP1/items"),  # 401
        client.get("/api/v1/items/999", headers=auth),  # 404
        client.get("/api/v1/no-such-route"),  # FastAPI's own 404
        client.post("/api/v1/holds", json={}, headers=auth),  # 422
        client.post("/api/v1/holds", content=b"x" * (2 * 1024 * 1024), headers=auth),  # 413
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 401, 404, 404, 422, 413]
    for answer in answers:
        _assert_hygienic(answer.headers)


def test_the_docs_page_loads_under_a_policy_with_a_fresh_nonce(client: TestClient) -> None:
    first, second = client.get("/api/v1/docs"), client.get("/api/v1/docs")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/html")
    _assert_hygienic(first.headers, csp=None)
    policy = dict(
        (d.split()[0], d.split()[1:])
        for d in first.headers["content-security-policy"].split(";")
        if d.strip()
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    nonce = re.search(r"'nonce-([^']+)'", first.headers["content-security-policy"])
    assert nonce is not None
    assert nonce.group(1) not in second.headers["content-security-policy"]
    html = first.text
    # Every script, external or inline, carries this response's nonce …
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) >= 2
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)
    # … and everything the page loads comes from where its directive allows.
    for tag, attr, directive in (("script", "src", "script-src"), ("link", "href", "")):
        for found in re.finditer(rf"<{tag}\b[^>]*\b{attr}=\"([^\"]+)\"", html):
            url = found.group(1)
            rel = re.search(r'rel="([^"]+)"', found.group(0))
            kind = directive or ("style-src" if rel and "stylesheet" in rel.group(1) else "img-src")
            origin = "/".join(url.split("/")[:3]) if "://" in url else "'self'"
            assert origin in policy[kind], (url, kind, policy[kind])
    # The page reads the OpenAPI document from this server.
    assert "'self'" in policy["connect-src"]
    assert "/api/v1/openapi.json" in html
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.fixture
def port(db_url: str, db: Database, tmp_path: Path) -> Iterator[int]:
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, log_level="warning")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, db), host="127.0.0.1", port=0, **uvicorn_options(settings)
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_real_server_names_no_software(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"\r\nserver:" not in head
    assert b"\r\nx-content-type-options: nosniff" in head
