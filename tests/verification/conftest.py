"""Fixtures for the verification tests: the platform simulator on a loopback port."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from takedown.sim import SimServer, World


@pytest.fixture
def sim() -> Iterator[tuple[World, int]]:
    world = World()
    ready = threading.Event()
    box: dict[str, object] = {}

    async def run() -> None:
        async with SimServer(world) as server:
            box["port"] = server.port
            box["stop"] = asyncio.Event()
            box["loop"] = asyncio.get_running_loop()
            ready.set()
            stop = box["stop"]
            assert isinstance(stop, asyncio.Event)
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    port = box["port"]
    assert isinstance(port, int)
    yield world, port
    loop = box["loop"]
    stop = box["stop"]
    assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
