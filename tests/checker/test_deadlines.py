"""One timer for many deadlines: an overdue wait ends in TimeoutError, a wait that ends in
time is untouched, and a cancellation from outside stays a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from takedown.checker.deadlines import Deadline, Deadlines


def test_an_overdue_wait_times_out_and_a_prompt_one_does_not() -> None:
    async def scenario() -> str:
        deadlines = Deadlines(tick=0.01)
        async with Deadline(deadlines, 5.0):
            await asyncio.sleep(0)
        with pytest.raises(TimeoutError):
            async with Deadline(deadlines, 0.02):
                await asyncio.sleep(10)
        return "after"

    assert asyncio.run(scenario()) == "after"


def test_a_cancellation_from_outside_is_not_a_timeout() -> None:
    async def scenario() -> None:
        deadlines = Deadlines(tick=0.01)

        async def wait() -> None:
            async with Deadline(deadlines, 5.0):
                await asyncio.sleep(10)

        task = asyncio.create_task(wait())
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


def test_deadlines_survive_a_new_event_loop() -> None:
    deadlines = Deadlines(tick=0.01)

    async def overdue() -> None:
        async with Deadline(deadlines, 0.02):
            await asyncio.sleep(10)

    for _ in range(2):  # the second loop gets a timer of its own
        with pytest.raises(TimeoutError):
            asyncio.run(overdue())
