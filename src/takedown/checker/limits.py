"""Politeness: global and per-host concurrency, a per-host rate limit, backoff with jitter."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
        self._gates: dict[str, asyncio.Semaphore] = {}
        self._hosts: dict[str, tuple[asyncio.Semaphore, TokenBucket]] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    @asynccontextmanager
    async def gate(self, host: str) -> AsyncIterator[None]:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = asyncio.Semaphore(self._per_host)
        async with gate, self._global:
            yield

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        entry = self._hosts.get(host)
        if entry is None:
            entry = (asyncio.Semaphore(self._per_host), TokenBucket(self._rate, self._burst))
            self._hosts[host] = entry
        sem, bucket = entry
        async with sem:
            await bucket.take()
            n = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = n
            if n > self.max_in_flight.get(host, 0):
                self.max_in_flight[host] = n
            try:
                yield
            finally:
                self.in_flight[host] -= 1


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
