"""Politeness: global and per-host concurrency, a per-host rate limit, backoff with jitter."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from email.utils import parsedate_to_datetime


class TokenBucket:
    """At most ``rate`` requests a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(max(1, burst))
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1.0:
                    self.tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self.tokens) / self.rate)


class Places:
    """A counting semaphore, first come first served, whose uncontended take is one test.

    ``asyncio.Semaphore`` costs a generator expression on every acquire; a check takes
    about ten places, so this one keeps the common case inline. A place given back goes
    straight to the longest waiter.
    """

    __slots__ = ("free", "waiters")

    def __init__(self, places: int) -> None:
        self.free = max(1, places)
        self.waiters: deque[asyncio.Future[None]] = deque()

    def try_take(self) -> bool:
        """Take a place if one is free and no one waits: the common case, with no await."""
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return True
        return False

    async def take(self) -> None:
        if self.try_take():
            return
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                self.give()  # handed a place as it was cancelled: pass the place on
            else:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(fut)
            raise

    def give(self) -> None:
        while self.waiters:
            fut = self.waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self.free += 1


class _Gate:
    """Held by one check from its first request to its verdict: a per-host place, then a
    global one."""

    __slots__ = ("_global", "_host")

    def __init__(self, host: Places, everyone: Places) -> None:
        self._host = host
        self._global = everyone

    async def __aenter__(self) -> None:
        host = self._host
        if not host.try_take():
            await host.take()
        try:
            await self._global.take()
        except BaseException:
            host.give()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._global.give()
        self._host.give()


class _Slot:
    """Held by one request in flight to a host; counts what the host sees."""

    __slots__ = ("_bucket", "_host", "_limits", "_places")

    def __init__(self, limits: HostLimits, host: str, per_host: int, bucket: TokenBucket) -> None:
        self._limits = limits
        self._host = host
        self._places = Places(per_host)
        self._bucket = bucket

    async def __aenter__(self) -> None:
        places = self._places
        if not places.try_take():
            await places.take()
        try:
            if self._bucket.rate > 0:
                await self._bucket.take()
        except BaseException:
            places.give()
            raise
        limits, host = self._limits, self._host
        n = limits.in_flight.get(host, 0) + 1
        limits.in_flight[host] = n
        if n > limits.max_in_flight.get(host, 0):
            limits.max_in_flight[host] = n

    async def __aexit__(self, *exc: object) -> None:
        self._limits.in_flight[self._host] -= 1
        self._places.give()


class HostLimits:
    """Checks in progress: at most ``concurrency`` in all and ``per_host`` per host (gate);
    requests in flight: at most ``per_host`` per host, paced by a token bucket (slot).

    A check holds its gate from its first request to its verdict, so its redirect hops,
    retries and confirmation never queue behind checks that have not started yet.
    """

    def __init__(self, concurrency: int, per_host: int, rate: float, burst: int) -> None:
        self._global = Places(concurrency)
        self._per_host = max(1, per_host)
        self._rate = rate
        self._burst = burst
        self._gates: dict[str, _Gate] = {}
        self._slots: dict[str, _Slot] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    def gate(self, host: str) -> _Gate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _Gate(Places(self._per_host), self._global)
        return gate

    def slot(self, host: str) -> _Slot:
        slot = self._slots.get(host)
        if slot is None:
            bucket = TokenBucket(self._rate, self._burst)
            slot = self._slots[host] = _Slot(self, host, self._per_host, bucket)
        return slot


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: a random wait in [high / 2, high], high capped."""
    high = min(cap, base * (2**attempt))
    return (rng or random).uniform(high / 2, high)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "³", which isdigit() also accepts
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        at = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None
    return max(0.0, at - (now if now is not None else time.time()))
