"""Politeness: global and per-host concurrency, a per-host rate limit, backoff with jitter."""

from __future__ import annotations

import asyncio
import random
import time
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


class _Gate:
    """Held by one check from its first request to its verdict: a per-host place, then a
    global one."""

    __slots__ = ("_global", "_host")

    def __init__(self, host: asyncio.Semaphore, everyone: asyncio.Semaphore) -> None:
        self._host = host
        self._global = everyone

    async def __aenter__(self) -> None:
        await self._host.acquire()
        try:
            await self._global.acquire()
        except BaseException:
            self._host.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._global.release()
        self._host.release()


class _Slot:
    """Held by one request in flight to a host; counts what the host sees."""

    __slots__ = ("_bucket", "_host", "_limits", "_sem")

    def __init__(self, limits: HostLimits, host: str, per_host: int, bucket: TokenBucket) -> None:
        self._limits = limits
        self._host = host
        self._sem = asyncio.Semaphore(per_host)
        self._bucket = bucket

    async def __aenter__(self) -> None:
        await self._sem.acquire()
        try:
            if self._bucket.rate > 0:
                await self._bucket.take()
        except BaseException:
            self._sem.release()
            raise
        limits, host = self._limits, self._host
        n = limits.in_flight.get(host, 0) + 1
        limits.in_flight[host] = n
        if n > limits.max_in_flight.get(host, 0):
            limits.max_in_flight[host] = n

    async def __aexit__(self, *exc: object) -> None:
        self._limits.in_flight[self._host] -= 1
        self._sem.release()


class HostLimits:
    """Checks in progress: at most ``concurrency`` in all and ``per_host`` per host (gate);
    requests in flight: at most ``per_host`` per host, paced by a token bucket (slot).

    A check holds its gate from its first request to its verdict, so its redirect hops,
    retries and confirmation never queue behind checks that have not started yet.
    """

    def __init__(self, concurrency: int, per_host: int, rate: float, burst: int) -> None:
        self._global = asyncio.Semaphore(max(1, concurrency))
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
            gate = self._gates[host] = _Gate(asyncio.Semaphore(self._per_host), self._global)
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
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
