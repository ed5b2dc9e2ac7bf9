"""The guard in front of the app: body caps before parsing and authentication, header caps in
the HTTP protocol, and text that no database takes (lone UTF-16 surrogates) refused as 400."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
import uvicorn
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from takedown.cli.serve import uvicorn_options
from takedown.config import Settings
from takedown.store.db import Database
from takedown.web.app import create_app
from takedown.web.guard import SurrogateScanner

from .conftest import TestClient

MiB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the app called as ASGI, with a client that never sends more than it is told --------------


async def _asgi(
    app: Any, method: str, path: str, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, dict[str, str], Any, int]:
    """Status, headers, JSON body, and how many times the app asked for the body: it gets
    ``chunks``, and when it asks for more the call ends with status 0, as with a client that
    never sends the rest."""
    reads = 0
    pending = list(chunks)
    sent: list[dict[str, Any]] = []
    starved = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if pending:
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": True}
        starved.set()
        await asyncio.Event().wait()  # the rest of the body never comes
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    call = asyncio.ensure_future(app(scope, receive, send))
    waiting = asyncio.ensure_future(starved.wait())
    done, _ = await asyncio.wait({call, waiting}, timeout=60, return_when="FIRST_COMPLETED")
    waiting.cancel()
    if call not in done:
        call.cancel()
        assert waiting in done, "the app neither answered nor asked for the body"
        return 0, {}, None, reads
    call.result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    got = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], got, json.loads(body), reads


def test_a_declared_body_over_the_cap_is_refused_unread_and_without_a_token(
    settings: Settings, db: Database
) -> None:
    app = create_app(settings, db)
    huge = {"Content-Length": str(10**12), "Content-Type": "application/json"}
    for path in ("/api/v1/holds", "/api/v1/operations/OP1/reports", "/api/v1/items/1/evidence"):
        status, headers, body, reads = asyncio.run(_asgi(app, "POST", path, huge, [b"{"]))
        assert (status, reads) == (413, 0), path  # answered before one byte was asked for
        assert "request body over the limit" in body["error"]
        assert headers["connection"] == "close"
    status, _, body, _ = asyncio.run(
        _asgi(app, "POST", "/api/v1/holds", {"Content-Length": str(2 * MiB)}, [b"{"])
    )
    assert body["error"].startswith("request body over the limit of 1048576 bytes (1 MiB)")
    assert "TAKEDOWN_MAX_BODY_BYTES" in body["error"]


def test_a_large_body_is_read_only_for_a_valid_token(
    db_url: str, db: Database, tokens: dict[str, str], tmp_path: Any
) -> None:
    """A report batch may be larger than 1 MiB, but the guard asks for the token before it
    reads past 1 MiB: without a valid one nothing is read."""
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, api_max_reports=10_000)
    app = create_app(settings, db)
    big = {"Content-Length": str(2 * MiB), "Content-Type": "application/json"}
    path = "/api/v1/operations/OP1/reports"
    for headers in (big, big | _bearer("tdk_not-a-token")):
        status, _, body, reads = asyncio.run(_asgi(app, "POST", path, headers, [b"{"]))
        assert (status, reads) == (401, 0)
        assert "needs a valid token" in body["error"]
    # A valid token: the guard lets the app read (and the app waits for the rest).
    headers = big | _bearer(tokens["de"])
    status, _, _, reads = asyncio.run(_asgi(app, "POST", path, headers, [b"{"]))
    assert (status, reads) == (0, 2)


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"target": "https://t.me/c/1", "until": "2030-01-01T00:00:00Z", "reason": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def test_a_streamed_body_over_the_cap_is_refused(
    client: TestClient, tokens: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/holds", content=_chunks(2 * MiB), headers=_bearer(tokens["de"]) | JSON
    )
    assert response.status_code == 413
    assert "1 MiB" in response.json()["error"]
    # The same body under the cap reaches the route (which answers for itself).
    response = client.post(
        "/api/v1/holds", content=_chunks(100_000), headers=_bearer(tokens["de"]) | JSON
    )
    assert response.status_code != 413


def test_a_report_batch_over_1_mib_passes_under_its_own_cap(
    db_url: str, db: Database, tokens: dict[str, str], tmp_path: Any
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        api_max_reports=50,
        max_report_batch_bytes=3 * MiB,
    )
    reports = [
        {"url": f"https://t.me/example_chan/{n}", "text": "t" * 99_000, "notes": "n" * 99_000}
        for n in range(8)
    ]
    body = json.dumps({"reports": reports}).encode()
    assert MiB < len(body) < 3 * MiB
    with TestClient(create_app(settings, db)) as client:
        path = "/api/v1/operations/OP1/reports"
        response = client.post(path, content=body, headers=_bearer(tokens["de"]) | JSON)
        assert response.status_code == 200, response.text
        assert response.json()["accepted"] == 8
        # The same body is too big for a route with the default cap …
        response = client.post("/api/v1/holds", content=body, headers=_bearer(tokens["de"]) | JSON)
        assert response.status_code == 413
        # … and a batch over its own cap is refused, naming it.
        response = client.post(
            path, content=body + b" " * 2 * MiB, headers=_bearer(tokens["de"]) | JSON
        )
        assert response.status_code == 413
        assert "a report batch (TAKEDOWN_MAX_REPORT_BATCH_BYTES)" in response.json()["error"]


def test_the_default_report_batch_cap_is_the_most_reports_times_the_row_budget() -> None:
    from takedown.config import REPORT_ROW_BYTES
    from takedown.web.app import body_limits

    settings = Settings(api_max_reports=10_000)
    limits = body_limits(settings)
    assert limits.default == MiB
    assert limits.cap("POST", "/api/v1/operations/OP1/reports")[0] == 10_000 * REPORT_ROW_BYTES
    assert limits.cap("POST", "/api/v1/items/7/evidence")[0] > settings.evidence_max_bytes
    assert limits.cap("GET", "/api/v1/operations/OP1/reports")[0] == MiB


# -- lone surrogates --------------------------------------------------------------------------

LONE = [
    ("/api/v1/holds", '{"target": "https://t.me/c/1", "reason": "x\\ud800", "until": "2030-01-01T00:00:00Z"}'),
    ("/api/v1/operations/OP1/reports", '{"reports": [{"url": "https://t.me/c/1", "title": "\\udc00"}]}'),
    ("/api/v1/items/1/assessments", '{"verdict": "exempt", "reasons": "\\uD83D"}'),
    ("/api/v1/operations/OP1/referrals", '{"platform": "telegram\\ud800\\ud800"}'),
    ("/api/v1/questions/1/reply", '{"text": "\\ude00 first"}'),
    ("/api/v1/platform/referrals/1/answers", '{"answers": [{"item_id": 1, "action": "declined", "reason": "\\udbff"}]}'),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body"), LONE, ids=[p for p, _ in LONE])
def test_a_lone_surrogate_in_a_json_body_is_invalid_text(
    client: TestClient, tokens: dict[str, str], path: str, body: str
) -> None:
    token = tokens["platform" if "/platform/" in path else "de"]
    response = client.post(
        path, content=body, headers=_bearer(token) | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("invalid text: lone UTF-16 surrogate")


def test_a_surrogate_pair_and_an_escaped_backslash_are_text(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = (
        '{"target": "https://t.me/c/1", "until": "2030-01-01T00:00:00Z", '
        '"reason": "\\ud83d\\ude00 and \\\\ud800, a backslash and letters"}'
    )
    response = client.post("/api/v1/holds", content=body, headers=_bearer(tokens["de"]) | JSON)
    assert response.status_code == 201, response.text
    assert response.json()["reason"] == "\U0001f600 and \\ud800, a backslash and letters"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/operations/%ED%A0%80/items",
        "/api/v1/operations/OP1/items?state=%ED%A0%80",
        "/api/v1/items/1?x=%FF",
    ],
)
def test_a_path_or_query_that_is_not_utf8_is_invalid_text(
    client: TestClient, tokens: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=_bearer(tokens["de"]))
    assert response.status_code == 400
    assert response.json()["error"].startswith("invalid text:")


def test_a_string_no_encoder_takes_is_a_400_not_a_500(settings: Settings, db: Database) -> None:
    """The last net, behind the guard: a UnicodeEncodeError from anywhere is invalid text."""
    app = create_app(settings, db)

    @app.get("/api/v1/test-encode")
    def encode() -> None:
        "\ud800".encode()

    @app.get("/api/v1/test-store")
    def store() -> None:
        with db.session() as session:
            session.connection().exec_driver_sql(
                "SELECT %s" if not db.is_sqlite else "SELECT ?", ("\ud800",)
            )

    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/v1/test-encode", "/api/v1/test-store"):
            response = client.get(path)
            assert response.status_code == 400, (path, response.text)
            assert response.json()["error"].startswith("invalid text:")


def _json_string(draw_text: str) -> str:
    return json.dumps(draw_text, ensure_ascii=True)


@hsettings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.one_of(
            st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\\", "u", "\\u", '"']),
            st.text(max_size=4),
            st.sampled_from(["\U0001f600", "\ud83d\ude00", "é"]),
        ),
        max_size=12,
    ).map("".join),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=4),
)
def test_the_scanner_agrees_with_python_wherever_the_body_is_cut(
    text: str, cuts: list[int]
) -> None:
    body = json.dumps({"k": text, "ascii": True}, ensure_ascii=True).encode()
    loaded = json.loads(body)["k"]
    try:
        loaded.encode("utf-8")
        lone = False
    except UnicodeEncodeError:
        lone = True
    points = sorted({min(c, len(body)) for c in cuts})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    scanner = SurrogateScanner()
    verdicts = [scanner.feed(p, final=i == len(pieces) - 1) for i, p in enumerate(pieces)]
    assert any(v is not None for v in verdicts) == lone, (body, verdicts)


# -- a real server: header size and header time -----------------------------------------------


@contextmanager
def served(settings: Settings, db: Database) -> Iterator[int]:
    """The app on uvicorn with `takedown serve`'s options, on a free port of 127.0.0.1."""
    config = uvicorn.Config(
        create_app(settings, db), host="127.0.0.1", port=0, **uvicorn_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def server(db_url: str, db: Database, tmp_path: Any) -> Iterator[int]:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        log_level="warning",
        max_header_bytes=8 * 1024,
        header_timeout=1.0,
    )
    with served(settings, db) as port:
        yield port


def _answer(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends until it closes (or stops for ``timeout``)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                length = [int(v) for k, v in _fields(head) if k == b"content-length"]
                if length and len(rest) >= length[0]:
                    break
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def _fields(head: bytes) -> list[tuple[bytes, bytes]]:
    lines = head.split(b"\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(b":") for line in lines)]


def _healthz(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        return _answer(sock)


def test_a_real_server_answers_413_at_once_to_a_huge_content_length(server: int) -> None:
    """The answer comes from the declared length alone: 11 bytes of the terabyte were sent."""
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(
            b"POST /api/v1/holds HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000000000000\r\n\r\n{"reason": '
        )
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_real_server_refuses_a_chunked_body_over_the_cap(server: int) -> None:
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(
            b"POST /api/v1/holds HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < 64 * MiB:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered
                sock.sendall(frame)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), (sent, answer[:200])
    assert sent < 32 * MiB  # it did not read on to the end


def test_a_real_server_refuses_over_long_headers_and_stays_up(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        with suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + b"a" * (1024 * 1024)
                + b"\r\n\r\n"
            )
        answer = _answer(sock)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert _healthz(server).startswith(b"HTTP/1.1 200")
    # Headers just under the cap are fine, and so is a body after them.
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"p" * 7000 + b"\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 200")


def test_a_real_server_cuts_off_headers_sent_too_slowly(server: int) -> None:
    """header_timeout is 1 s here: a client sending a header byte every 0.1 s is cut off
    while it is still sending (it would take 60 s to finish), not when its headers end."""
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        cut_off = False
        try:
            for _ in range(600):
                sock.sendall(b"a")
                if select.select([sock], [], [], 0.1)[0]:
                    cut_off = True
                    break
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True
        answer = _answer(sock, timeout=1)
    assert cut_off, "the server waited for headers sent a byte at a time"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert _healthz(server).startswith(b"HTTP/1.1 200")


def test_a_real_server_answers_a_keep_alive_client_past_the_header_timeout(server: int) -> None:
    """The timer covers the headers of each request, not the life of the connection."""
    with socket.create_connection(("127.0.0.1", server)) as sock:
        for _ in range(3):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            assert _answer(sock).startswith(b"HTTP/1.1 200")
            time.sleep(0.6)  # 1.8 s in all: over the 1 s timeout, under keep-alive's 5 s
