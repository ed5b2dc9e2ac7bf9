"""Shared helpers: a simulator on 127.0.0.1 and a checker pointed at it, with short timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
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
    world: World, **changes: object
) -> AsyncIterator[tuple[SimServer, Checker]]:
    async with SimServer(world) as sim:
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
