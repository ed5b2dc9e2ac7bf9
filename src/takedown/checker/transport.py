"""Name resolution, curl-like ``--connect-to`` and the guarded httpx transports.

``GuardedBackend.vetted`` is the one way to an address: it applies ``--connect-to``, resolves
the name, and vets every address with the guard. Both transports connect only to what it
returns, the vetted address itself: ``http1.FastTransport`` (the default) and ``HostPools``
here (httpcore, used when a proxy is configured), whose network backend is
``GuardedBackend``. Redirect hops open connections the same way, so each is vetted.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from takedown.checker.guard import Guard, Refused

GUARD_PREFIX = "ssrf-guard: "


class NameNotFound(Exception):
    """The resolver has no address for this name."""


class Resolver(typing.Protocol):
    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver, with a short cache so one check resolves once."""

    def __init__(self, ttl: float = 30.0) -> None:
        self._ttl = ttl
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}

    async def resolve(self, host: str, port: int) -> list[str]:
        hit = self._cache.get((host, port))
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, ValueError) as exc:  # gaierror; UnicodeError when IDNA refuses a name
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise NameNotFound(f"cannot resolve {host!r}: {why}") from None
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        self._cache[(host, port)] = (now + self._ttl, found)
        return found


class StubResolver:
    """A fixed table of answers, for tests: no packet leaves the machine."""

    def __init__(self, table: Mapping[str, Iterable[str]]) -> None:
        self._table = {k.lower(): list(v) for k, v in table.items()}

    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            return self._table[host.lower().rstrip(".")]
        except KeyError:
            raise NameNotFound(f"cannot resolve {host!r}: no such name") from None


_CONNECT_TO = re.compile(
    r"^(?P<host>\[[^\]]*\]|[^:\[\]]*):(?P<port>\d*):(?P<addr>\[[^\]]*\]|[^:\[\]]*):(?P<port2>\d*)$"
)


@dataclass(frozen=True)
class ConnectTo:
    """curl's ``HOST:PORT:ADDR:PORT2``: connect to ADDR:PORT2 for HOST:PORT (empty = any)."""

    host: str
    port: int | None
    addr: str
    port2: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        m = _CONNECT_TO.match(text.strip())
        if not m:
            raise ValueError(f"--connect-to: {text!r} is not HOST:PORT:ADDR:PORT2")
        port, port2 = m["port"], m["port2"]
        return cls(
            host=m["host"].strip("[]").lower(),
            port=int(port) if port else None,
            addr=m["addr"].strip("[]"),
            port2=int(port2) if port2 else None,
        )

    def applies(self, host: str, port: int) -> bool:
        return (not self.host or self.host == host.lower()) and self.port in (None, port)


def route(rules: Iterable[ConnectTo], host: str, port: int) -> tuple[str, int]:
    for rule in rules:
        if rule.applies(host, port):
            return (rule.addr or host), (rule.port2 or port)
    return host, port


class GuardedBackend(AsyncNetworkBackend):
    """Opens TCP connections only to addresses the guard has vetted."""

    def __init__(
        self,
        guard: Guard,
        resolver: Resolver,
        connect_to: tuple[ConnectTo, ...] = (),
        trusted: frozenset[tuple[str, int]] = frozenset(),
        inner: AsyncNetworkBackend | None = None,
    ) -> None:
        self.guard = guard
        self.resolver = resolver
        self.connect_to = connect_to
        self.trusted = trusted  # the operator's proxy: connected to as configured
        self._inner = inner or httpcore.AnyIOBackend()
        self.connections = 0

    async def vetted(self, host: str, port: int) -> tuple[list[str], int]:
        """The addresses to try for host:port after --connect-to, resolution and vetting."""
        target, target_port = route(self.connect_to, host, port)
        literal, name = self.guard.literal_or_name(target)
        if literal is not None:
            return [literal], target_port
        addresses = await self.resolver.resolve(name, target_port)
        return self.guard.vet_addresses(name, addresses), target_port

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> AsyncNetworkStream:
        if (host.lower(), port) in self.trusted:
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses, target_port = await self.vetted(host, port)
        except Refused as exc:
            raise httpcore.ConnectError(GUARD_PREFIX + str(exc)) from None
        except NameNotFound as exc:
            raise httpcore.ConnectError(str(exc)) from None
        last: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, target_port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            self.connections += 1
            return stream
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError(GUARD_PREFIX + "unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HostPools(httpx.AsyncBaseTransport):
    """One connection pool per origin, each capped at the per-host concurrency.

    httpcore scans every pooled connection on each request; small pools keep that cheap
    when a check run keeps hundreds of connections open across many hosts.
    """

    def __init__(
        self,
        backend: GuardedBackend,
        *,
        proxy: str | None,
        per_host: int,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.backend = backend
        self.proxy = proxy
        self.per_host = per_host
        self.verify = verify
        self._pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}
        if proxy is not None:
            url = httpx.URL(proxy)
            port = url.port or (443 if url.scheme == "https" else 80)
            backend.trusted = frozenset({(url.host.lower(), port)})

    def _pool(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            limits = httpx.Limits(
                max_connections=self.per_host,
                max_keepalive_connections=self.per_host,
                keepalive_expiry=30.0,
            )
            pool = httpx.AsyncHTTPTransport(
                verify=self.verify, limits=limits, proxy=self.proxy, trust_env=False
            )
            # httpx does not expose httpcore's network_backend; the pool reads this attribute
            # for each new connection (tests/checker/test_guard.py proves it is used).
            pool._pool._network_backend = self.backend
            self._pools[key] = pool
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
