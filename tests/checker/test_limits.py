"""The places behind the per-host and global limits: first come, first served, and a
cancelled waiter neither loses a place nor keeps one."""

from __future__ import annotations

import asyncio
import contextlib

from takedown.checker.limits import Places


def test_places_go_in_turn_and_a_cancelled_waiter_is_skipped() -> None:
    async def scenario() -> tuple[list[str], int]:
        places = Places(1)
        await places.take()
        order: list[str] = []

        async def wait(name: str) -> None:
            await places.take()
            order.append(name)

        tasks = {name: asyncio.create_task(wait(name)) for name in "abc"}
        await asyncio.sleep(0)
        tasks["b"].cancel()
        for _ in range(2):
            places.give()
            await asyncio.sleep(0)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks.values())
        places.give()
        return order, places.free

    assert asyncio.run(scenario()) == (["a", "c"], 1)


def test_a_place_handed_to_a_waiter_cancelled_before_it_ran_is_passed_on() -> None:
    async def scenario() -> int:
        places = Places(1)
        await places.take()
        waiter = asyncio.create_task(places.take())
        await asyncio.sleep(0)
        places.give()  # handed over to the waiter...
        waiter.cancel()  # ...which is cancelled before it runs
        with contextlib.suppress(asyncio.CancelledError):
            await waiter
        return places.free

    assert asyncio.run(scenario()) == 1
