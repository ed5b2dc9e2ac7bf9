"""The simulator keeps its world in the data directory, and its agent does not resend what
takedown refused or recorded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from takedown.services.demo import demo_world
from takedown.sim import State, World
from takedown.sim.agent import Decision, LocalWorld, PlatformAgent, _Task


def test_what_a_simulated_platform_removed_stays_removed_after_a_restart(tmp_path: Path) -> None:
    world = demo_world(tmp_path)
    first, second = world.unique()[:2]
    asyncio.run(LocalWorld(world).set_state([first.url], State.REMOVED))
    world.set_state(second, State.GEO_BLOCKED)
    saved = json.loads((tmp_path / "simulator-world.json").read_text(encoding="utf-8"))
    assert saved["states"][first.url] == "removed"

    again = demo_world(tmp_path)  # the next `make run`
    states = {item.url: item.state for item in again.unique()}
    assert states[first.url] is State.REMOVED and states[second.url] is State.GEO_BLOCKED
    assert len(states) == len(world.unique())


def test_a_damaged_world_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "simulator-world.json").write_text("{not json", encoding="utf-8")
    fresh = World.generate(["telegram", "youtube"], 40, 2026)
    world = demo_world(tmp_path)
    assert [i.state for i in world.unique()] == [i.state for i in fresh.unique()]


def test_a_refused_answer_is_not_sent_again() -> None:
    """takedown answered 400: the agent does not queue the answer for another attempt."""
    posted: list[bytes] = []

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        posted.append(await reader.readline())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()

    async def run() -> int:
        server = await asyncio.start_server(refuse, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        api = f"http://127.0.0.1:{port}"
        agent = PlatformAgent(api, "tok", LocalWorld(World()), poll_interval=0)
        task = _Task(0.0, 0, "referral", 1, 7, ("http://t.me/x",), Decision("declined", "no", 0))
        async with server, httpx.AsyncClient(trust_env=False) as client:
            await agent._perform(client, task)
        return agent.pending

    assert asyncio.run(run()) == 0
    assert len(posted) == 1 and posted[0].startswith(b"POST /api/v1/platform/referrals/1/answers")
