"""The fast transport against a scripted HTTP/1.1 server on 127.0.0.1: framing, keep-alive,
the body cap, the guard, --connect-to, TLS, malformed answers and a clean close."""

from __future__ import annotations

import asyncio
import gc
import ssl
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.checker import Checker, ConnectTo, Guard, StubResolver, Verdict
from takedown.checker.http1 import FastTransport, header_dict
from takedown.checker.transport import GUARD_PREFIX, GuardedBackend

from .helpers import FAST

TLS = Path(__file__).parent / "tls"  # a test CA and a certificate for platform.example
REMOVED_PAGE = (
    b"<html><body><div>This video has been removed for violating YouTube's Community "
    b"Guidelines</div></body></html>"
)
Script = Callable[[str, int], bytes | None]  # (target, request number) -> raw answer


def answer(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
    return (head + extra + "\r\n").encode() + body


class ScriptedServer:
    """Answers each request with whatever ``script`` returns; None hangs up instead.

    An HTTP/1.0 answer or one that says ``Connection: close`` hangs up after it.
    """

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self.tls = tls
        self.connections = 0
        self.requests: list[tuple[str, str]] = []  # (target, Host header)
        self.bodies: list[bytes] = []
        self.unfinished = 0  # answers the client hung up on before taking them whole
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                target = head.split(" ", 2)[1]
                fields = [ln.split(":", 1) for ln in head.split("\r\n")[1:] if ":" in ln]
                host = next((v.strip() for k, v in fields if k.lower() == "host"), "")
                length = next((int(v) for k, v in fields if k.lower() == "content-length"), 0)
                self.bodies.append(await reader.readexactly(length))
                self.requests.append((target, host))
                raw = self.script(target, len(self.requests))
                if raw is None:
                    return
                try:
                    for i in range(0, len(raw), 65536):
                        writer.write(raw[i : i + 65536])
                        await writer.drain()
                except ConnectionError:
                    self.unfinished += 1
                    return
                if raw.startswith(b"HTTP/1.0") or b"Connection: close" in raw:
                    return  # and so the answer ends
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            return  # the client hung up between requests, or the handshake failed
        finally:
            self._writers.discard(writer)
            writer.transport.abort()


@asynccontextmanager
async def client_for(
    server: ScriptedServer,
    *,
    resolver: StubResolver | None = None,
    verify: ssl.SSLContext | bool = True,
    connect_to: bool = True,
) -> AsyncIterator[tuple[httpx.AsyncClient, GuardedBackend]]:
    rules = (ConnectTo.parse(f"::127.0.0.1:{server.port}"),) if connect_to else ()
    backend = GuardedBackend(
        Guard.from_cidrs(["127.0.0.1/32"]),
        resolver or StubResolver({"platform.example": ["93.184.216.34"]}),
        rules,
    )
    transport = FastTransport(backend, per_host=4, verify=verify)
    async with httpx.AsyncClient(transport=transport, timeout=2.0, trust_env=False) as client:
        yield client, backend


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_keep_alive_reuses_one_connection_and_connects_where_connect_to_says() -> None:
    async def scenario() -> tuple[ScriptedServer, list[httpx.Response], int]:
        script: Script = lambda target, n: answer(f"page {n}".encode())  # noqa: E731
        async with ScriptedServer(script) as server, client_for(server) as (client, backend):
            responses = [await client.get(f"http://platform.example/p{i}") for i in range(5)]
            return server, responses, backend.connections

    server, responses, opened = run(scenario())  # type: ignore[misc]
    assert [r.text for r in responses] == [f"page {n}" for n in range(1, 6)]
    assert server.connections == 1 and opened == 1
    assert server.requests[0] == ("/p0", "platform.example")  # the URL's host, our address
    addr = responses[0].extensions["network_stream"].get_extra_info("server_addr")
    assert addr == ("127.0.0.1", server.port)


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (answer(b"fixed length"), b"fixed length"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
            b"hello, world",
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\n" + answer(b"after 100"), b"after 100"),
        (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", b"until the end"),
        (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    ],
    ids=["content-length", "chunked", "informational", "until-close", "no-content"],
)
def test_bodies_framed_every_way_are_read_whole(raw: bytes, body: bytes) -> None:
    def script(target: str, n: int) -> bytes | None:
        return raw if n == 1 else answer(b"second")

    async def scenario() -> tuple[bytes, bytes]:
        async with ScriptedServer(script) as server, client_for(server) as (client, _):
            first = await client.get("http://platform.example/")
            second = await client.get("http://platform.example/again")  # reused or reopened
            return first.content, second.content

    assert run(scenario()) == (body, b"second")


def test_a_redirect_with_a_body_left_unread_keeps_its_connection() -> None:
    def script(target: str, n: int) -> bytes | None:
        if target == "/old":
            return answer(b"<a href=/new>moved</a>", "301 Moved", "Location: /new\r\n")
        return answer(b"new")

    async def scenario() -> tuple[str, int]:
        async with ScriptedServer(script) as server, client_for(server) as (client, _):
            async with client.stream("GET", "http://platform.example/old") as moved:
                connection = moved.extensions["network_stream"]
                async with asyncio.timeout(5):
                    while not connection.complete:  # the whole small body in, unread
                        await asyncio.sleep(0.001)
                assert moved.status_code == 301
            new = await client.get("http://platform.example/new")
            return new.text, server.connections

    assert run(scenario()) == ("new", 1)


def test_a_body_closed_early_is_not_drained_and_its_connection_not_reused() -> None:
    huge = answer(b"x" * (20 * 1024 * 1024))

    def script(target: str, n: int) -> bytes | None:
        return huge if target == "/huge" else answer(b"small")

    async def scenario() -> tuple[int, ScriptedServer, bytes]:
        async with ScriptedServer(script) as server, client_for(server) as (client, backend):
            async with client.stream("GET", "http://platform.example/huge") as response:
                async for _ in response.aiter_raw():
                    break  # the caller has what it needs
            small = await client.get("http://platform.example/small")
            await asyncio.sleep(0.05)  # let the server see the hang-up
            return backend.connections, server, small.content

    opened, server, small = run(scenario())  # type: ignore[misc]
    assert small == b"small" and opened == 2
    assert server.unfinished >= 1  # the 20 MB were never all taken


def test_a_redirect_to_a_private_address_is_refused_without_connecting() -> None:
    resolver = StubResolver({"platform.example": ["93.184.216.34"], "inside.example": ["10.0.0.8"]})

    def script(target: str, n: int) -> bytes | None:
        return answer(b"", "302 Found", "Location: http://inside.example/admin\r\n")

    async def scenario() -> tuple[str, int]:
        async with ScriptedServer(script) as server:
            settings = replace(FAST, connect_to=(f"platform.example:80:127.0.0.1:{server.port}",))
            async with Checker(settings, resolver=resolver) as checker:
                result = await checker.check("http://platform.example/")
            async with client_for(server, resolver=resolver, connect_to=False) as (client, _):
                with pytest.raises(httpx.ConnectError, match=GUARD_PREFIX + ".*10.0.0.8"):
                    await client.get("http://inside.example/admin")
            assert result.verdict is Verdict.UNKNOWN and "10.0.0.8" in result.reason, result
            return result.reason, server.connections

    _, connections = run(scenario())  # type: ignore[misc]
    assert connections == 1  # the first hop only


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 2OO OK\r\nContent-Length: 10\r\n\r\n" + REMOVED_PAGE,
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n" + REMOVED_PAGE,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + REMOVED_PAGE,
        b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" + REMOVED_PAGE,  # then hangs up
        b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * 70_000 + b"\r\n\r\n" + REMOVED_PAGE,
        b"SSH-2.0-OpenSSH_9.6\r\n" + REMOVED_PAGE,
        b"",  # hangs up without a word
    ],
    ids=["status", "length", "chunk-size", "short-body", "huge-header", "not-http", "silent"],
)
def test_a_malformed_answer_is_never_a_removal(raw: bytes) -> None:
    async def scenario() -> tuple[Verdict, str]:
        async with ScriptedServer(lambda target, n: raw or None) as server:
            settings = replace(FAST, connect_to=(f"::127.0.0.1:{server.port}",), retries=0)
            resolver = StubResolver({"www.youtube.com": ["142.250.74.46"]})
            async with Checker(settings, resolver=resolver) as checker:
                result = await checker.check("http://www.youtube.com/watch?v=abcdefghijk")
        return result.verdict, result.reason

    verdict, reason = run(scenario())  # type: ignore[misc]
    assert verdict in (Verdict.UNREACHABLE, Verdict.UNKNOWN), reason
    assert reason.startswith(("transport error", "connection failed", "timeout")), reason


def test_tls_checks_the_certificate_against_the_url_host_not_the_connect_to_address() -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    trusted = ssl.create_default_context(cafile=str(TLS / "ca.pem"))
    resolver = StubResolver(
        {"platform.example": ["93.184.216.34"], "other.example": ["93.184.216.35"]}
    )

    async def scenario() -> tuple[str, str]:
        async with ScriptedServer(lambda target, n: answer(b"secret"), tls=server_tls) as server:
            async with client_for(server, resolver=resolver, verify=trusted) as (client, _):
                good = await client.get("https://platform.example/")
                with pytest.raises(httpx.ConnectError, match=r"certificate|hostname"):
                    await client.get("https://other.example/")  # same server, wrong name
            async with client_for(server, resolver=resolver) as (client, _):
                with pytest.raises(httpx.ConnectError, match="certificate"):
                    await client.get("https://platform.example/")  # CA not trusted
            return good.text, server.requests[0][1]

    assert run(scenario()) == ("secret", "platform.example")


def test_a_request_body_goes_with_its_length_and_head_is_refused() -> None:
    async def scenario() -> list[bytes]:
        script: Script = lambda target, n: answer(b"ok")  # noqa: E731
        async with ScriptedServer(script) as server, client_for(server) as (client, _):
            await client.post("http://platform.example/form", content=b"a=1&b=2")
            await client.get("http://platform.example/")
            with pytest.raises(httpx.LocalProtocolError, match="HEAD"):
                await client.head("http://platform.example/")
            return server.bodies

    assert run(scenario()) == [b"a=1&b=2", b""]


def test_a_server_that_closes_idle_connections_costs_nothing_but_a_new_connection() -> None:
    async def scenario() -> tuple[list[str], int]:
        script: Script = lambda target, n: answer(b"ok", extra="Connection: close\r\n")  # noqa: E731
        async with ScriptedServer(script) as server, client_for(server) as (client, _):
            texts = [(await client.get("http://platform.example/")).text for _ in range(3)]
            return texts, server.connections

    assert run(scenario()) == (["ok", "ok", "ok"], 3)


def test_closing_the_pool_leaves_no_socket_behind() -> None:
    async def scenario() -> None:
        script: Script = lambda target, n: answer(b"ok")  # noqa: E731
        async with ScriptedServer(script) as server, client_for(server) as (client, _):
            await asyncio.gather(*(client.get("http://platform.example/") for _ in range(8)))
            async with client.stream("GET", "http://platform.example/") as response:
                assert response.status_code == 200  # closed unread

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(scenario())
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


HEADER_BYTES = st.binary(max_size=12) | st.sampled_from(
    [b"Location", b"location", b"Set-Cookie", b"caf\xc3\xa9", b"\xff\xfe", b"Content-Type"]
)


@given(st.lists(st.tuples(HEADER_BYTES, HEADER_BYTES), max_size=6))
def test_response_headers_read_as_httpx_reads_them(raw: list[tuple[bytes, bytes]]) -> None:
    """Names in lower case, repeats joined, the whole set decoded as ASCII, else UTF-8, else
    ISO-8859-1: whatever bytes a server sends."""
    assert header_dict(raw) == dict(httpx.Headers(raw).items())
