"""Shared helpers: a simulator on 127.0.0.1 and a checker pointed at it, with short timeouts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
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
