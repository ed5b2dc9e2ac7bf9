"""Shared helpers: a simulator on 127.0.0.1 and a checker pointed at it, with short timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from takedown.checker import Checker, CheckerSettings, StubResolver
from takedown.sim import SimServer, World

# Public wording of platforms' removal pages, with a source per phrase (tests/data/SOURCES.md).
PHRASES = (
    Path(__file__).resolve().parents[1] / "data" / "platforms" / "removed_content_phrases.json"
)

FAST = CheckerSettings(
    allow_networks=("127.0.0.1/32",),
    per_host_rate=0,
    connect_timeout=1.0,
    read_timeout=1.0,
    check_timeout=2.5,
    backoff_base=0.01,
    backoff_max=0.05,
    max_retry_after=2.0,
    max_body_bytes=64 * 1024,
)
# Public-looking answers for platform names; nothing ever connects to them (connect-to or
# the proxy carries the traffic to 127.0.0.1).
PUBLIC = {
    "t.me": ["149.154.167.99"],
    "www.youtube.com": ["142.250.74.46"],
    "bit.ly": ["67.199.248.10"],
}


@asynccontextmanager
async def sim_and_checker(
    world: World, consent: str | None = None, **changes: object
) -> AsyncIterator[tuple[SimServer, Checker]]:
    """A simulator (``consent``: its consent wall, ``SimServer``) and a checker sent to it,
    with ``changes`` to the checker's settings."""
    async with SimServer(world, consent=consent) as sim:
        settings = replace(FAST, connect_to=(sim.connect_to(),), **changes)  # type: ignore[arg-type]
        async with Checker(settings, resolver=StubResolver(PUBLIC)) as checker:
            yield sim, checker


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


@contextmanager
def threaded_sim(world: World) -> Iterator[SimServer]:
    """A simulator on its own thread and event loop, for code that runs its own loop."""
    loop = asyncio.new_event_loop()
    sim = SimServer(world)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sim.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(sim.stop())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield sim
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


class HangUpServer:
    """A raw HTTP server on 127.0.0.1 that answers each request with ``script(target)``, byte
    for byte, and hangs up (None: hangs up without a word). Targets come as sent: a path, or
    an absolute URL when the server is used as a proxy. Nothing is parsed on the way out, so a
    test can send any bytes at all as a status line or a header."""

    def __init__(self, script: Callable[[str], bytes | None]) -> None:
        self.script = script
        self.targets: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> HangUpServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode("latin-1")
            self.targets.append(target)
            raw = self.script(target)
            if raw is not None:
                writer.write(raw)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()  # a FIN after the bytes, not a reset that could overtake them
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@dataclass
class Answer:
    """One HTTP answer of a ``PageServer``."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


Route = Answer | Callable[[str], Answer]  # a fixed answer, or one made from the Cookie header


class PageServer:
    """An HTTP/1.1 server on 127.0.0.1 that answers by Host and target, keep-alive: the way a
    platform serves its pages, for pages the simulator does not make. ``routes`` maps
    ``(host, target)`` to an ``Answer`` (or a function of the request's cookies); any other
    request is a 404. ``asked`` lists every ``(host, target)`` requested, in order."""

    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        self.routes = routes
        self.asked: list[tuple[str, str]] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> PageServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):  # keep-alive connections the client left open
            writer.transport.abort()
        for _ in range(100):
            if not self._writers:
                break
            await asyncio.sleep(0.01)
        await self._server.wait_closed()

    def connect_to(self) -> str:
        return f"::127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                target = head[0].split(" ")[1]
                fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
                fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
                host = fields.get("host", "").rsplit(":", 1)[0]
                self.asked.append((host, target))
                route = self.routes.get((host, target), Answer(404, b"<h1>Not Found</h1>"))
                answer = route(fields.get("cookie", "")) if callable(route) else route
                lines = [
                    f"HTTP/1.1 {answer.status} Status",
                    f"Content-Type: {answer.content_type}",
                    f"Content-Length: {len(answer.body)}",
                    *(f"{k}: {v}" for k, v in answer.headers.items()),
                ]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + answer.body)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@asynccontextmanager
async def page_server_and_checker(
    routes: dict[tuple[str, str], Route], **changes: object
) -> AsyncIterator[tuple[PageServer, Checker]]:
    async with PageServer(routes) as server:
        settings = replace(FAST, connect_to=(server.connect_to(),), **changes)  # type: ignore[arg-type]
        async with Checker(settings, resolver=StubResolver(PUBLIC)) as checker:
            yield server, checker
