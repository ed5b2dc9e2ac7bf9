"""Outbound requests to URLs that someone else chose, other than checks: webhook targets.

A platform unit chooses its webhook URL, so it gets the checker's guard, twice:

* at configuration, ``vet_url`` (no network, no DNS): http or https, a host a resolver can
  take, and no address the URL names literally (``127.0.0.2``, ``[::1]``, ``2130706433``,
  ``localhost``) outside the public internet unless an operator allowed its network;
* at every request, ``Outbound.post``: the name resolved once, every address vetted, and the
  connection made to the vetted address itself, with the URL's host as the Host header and
  the TLS server name. That is the checker's ``FastTransport`` over ``GuardedBackend``, so a
  second DNS answer (rebinding) gets nowhere.

Redirects are never followed: a 3xx is the answer, and the caller treats it as a failure (a
redirect could lead anywhere, and nothing would vet where). The answer's body is never read:
only its status, reason and headers come back, so nothing an internal service says can reach
a log. Email relays are not here: the operator sets those.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from takedown.checker.fetch import parse_url
from takedown.checker.guard import Guard, Refused
from takedown.checker.http1 import FastTransport
from takedown.checker.transport import (
    GUARD_PREFIX,
    ConnectTo,
    GuardedBackend,
    Resolver,
    SystemResolver,
)

ALLOW_SETTING = "TAKEDOWN_OUTBOUND_ALLOW_NETWORKS"
T = TypeVar("T")


def vet_url(url: str, allow_networks: Iterable[str] = ()) -> httpx.URL:
    """``url`` parsed, or Refused saying why no request may go there. Names are not resolved:
    that happens at every request, since DNS answers change."""
    parsed = parse_url(url)
    Guard.from_cidrs(allow_networks, what=ALLOW_SETTING).literal_or_name(parsed.host)
    return parsed


@dataclass(frozen=True)
class Answer:
    """What came back: the status line and the headers, never the body."""

    status: int
    reason: str
    headers: httpx.Headers
    address: str | None  # the vetted address connected to, "ip:port"


class Outbound:
    """POSTs through the guard. ``allow_networks`` opens private networks (the tests open
    127.0.0.1/32); ``connect_to`` and ``resolver`` work as the checker's do."""

    def __init__(
        self,
        allow_networks: Iterable[str] = (),
        *,
        resolver: Resolver | None = None,
        connect_to: Iterable[str] = (),
        verify: bool = True,
    ) -> None:
        self.guard = Guard.from_cidrs(allow_networks, what=ALLOW_SETTING)
        self.resolver = resolver or SystemResolver()
        self.connect_to = tuple(ConnectTo.parse(rule) for rule in connect_to)
        self.verify = verify

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, timeout: float) -> Answer:
        """``apost`` for synchronous callers (the outbox's worker threads)."""
        return _run(self.apost(url, body, headers, timeout=timeout))

    async def apost(
        self, url: str, body: bytes, headers: Mapping[str, str], *, timeout: float
    ) -> Answer:
        """POST ``body`` to ``url``; the whole exchange within ``timeout`` seconds.

        Raises Refused when the guard refuses the URL or the addresses its host resolves to,
        and ``httpx.TransportError`` (a ``TimeoutException`` past ``timeout``) when the
        request fails.
        """
        target = parse_url(url)
        backend = GuardedBackend(self.guard, self.resolver, self.connect_to)
        transport = FastTransport(backend, per_host=1, verify=self.verify)
        phases = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        request = httpx.Request(
            "POST", target, headers=dict(headers), content=body, extensions={"timeout": phases}
        )
        try:
            async with asyncio.timeout(timeout):
                response = await transport.handle_async_request(request)
                try:
                    stream = response.extensions.get("network_stream")
                    peer = stream.get_extra_info("server_addr") if stream is not None else None
                    return Answer(
                        response.status_code,
                        response.reason_phrase,
                        response.headers,
                        f"{peer[0]}:{peer[1]}" if peer else None,
                    )
                finally:
                    await response.aclose()  # unread: the connection is closed, not drained
        except TimeoutError:
            raise httpx.TimeoutException(f"no answer within {timeout:g} s") from None
        except httpx.ConnectError as exc:
            if str(exc).startswith(GUARD_PREFIX):
                raise Refused(str(exc).removeprefix(GUARD_PREFIX)) from None
            raise
        finally:
            await transport.aclose()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to its end from synchronous code, even where an event loop is running
    already (a job run in a commit hook inside an async route): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="outbound") as pool:
        return pool.submit(asyncio.run, coro).result()
