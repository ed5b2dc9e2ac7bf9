"""Deadlines watched by one repeating timer: the checker's timeouts, cheaply.

A check waits three or four times (its gate, each answer, the whole check) and almost never
times out. A timer per wait (``call_later``, ``asyncio.timeout``) costs more than the rest of
such a wait, so here a wait only writes its deadline down, and one timer, running every
``tick`` seconds while anything waits, fires the overdue ones: a deadline fires at most
``tick`` late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType


class Deadlines:
    def __init__(self, tick: float = 0.1) -> None:
        self.tick = tick
        self._watched: dict[object, tuple[float, Callable[[], None]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, key: object, delay: float, fire: Callable[[], None]) -> None:
        """Call ``fire`` once ``delay`` seconds have passed, unless ``forget(key)`` first."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop: the old timer went with the old one
            self._loop, self._timer = loop, None
        self._watched[key] = (loop.time() + delay, fire)
        if self._timer is None:
            self._timer = loop.call_later(self.tick, self._sweep)

    def forget(self, key: object) -> None:
        self._watched.pop(key, None)

    def _sweep(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        due = [(key, fire) for key, (when, fire) in self._watched.items() if when <= now]
        for key, fire in due:
            del self._watched[key]
            fire()
        self._timer = self._loop.call_later(self.tick, self._sweep) if self._watched else None


class Deadline:
    """``asyncio.timeout(delay)`` for the running task, on a shared ``Deadlines``."""

    __slots__ = ("_cancelling", "_deadlines", "_delay", "_expired", "_task")

    def __init__(self, deadlines: Deadlines, delay: float) -> None:
        self._deadlines = deadlines
        self._delay = delay
        self._expired = False

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._cancelling = task.cancelling()
        self._deadlines.watch(self, self._delay, self._fire)

    def _fire(self) -> None:
        self._expired = True
        self._task.cancel()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._deadlines.forget(self)
        if (
            self._expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
