"""The simulator's HTTP/1.1 server: plain asyncio, keep-alive, one process, many platforms.

Requests are routed by Host header to a virtual platform, then by target to an item. Faults
are played per item. Counters kept here (requests, statuses, in-flight and its maximum, the
busiest second) let benchmarks prove the checker's per-host limits from the server's side.
``/_sim/stats`` answers them as JSON on any host; ``POST /_sim/reset`` clears them.
``POST /_sim/state`` with ``{"url", "state"}`` sets one item's state (aliases included): the
simulated platform agent (``takedown.sim.agent``) uses it to remove what it says it removed.

``consent`` plays a visitor from a country where YouTube asks for consent first: with
``"ask"`` every YouTube page redirects to ``consent.youtube.com`` until the request carries
the consent cookie (``SOCS`` or ``CONSENT=YES``), with ``"insist"`` whatever it carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from takedown.sim import pages
from takedown.sim.agent import find_item
from takedown.sim.model import PLATFORM_OF_HOST, Fault, Item, State, World

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
HUGE_BYTES = 20 * 1024 * 1024
FAULT_WAIT = 60.0
CONSENT_HOSTS = ("consent.youtube.com", "consent.google.com")
CONSENT_MODES = ("ask", "insist")


def _consented(cookie: str) -> bool:
    names = {c.strip().partition("=")[0]: c.strip().partition("=")[2] for c in cookie.split(";")}
    return "SOCS" in names or names.get("CONSENT", "").startswith("YES")


@dataclass
class HostStats:
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    second: int = 0
    in_second: int = 0
    max_per_second: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    user_agent: str = ""
    proxied: int = 0

    def enter(self) -> None:
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        now = int(time.monotonic())
        if now != self.second:
            self.second, self.in_second = now, 0
        self.in_second += 1
        self.max_per_second = max(self.max_per_second, self.in_second)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "max_per_second": self.max_per_second,
            "user_agent": self.user_agent,
            "proxied": self.proxied,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


class SimServer:
    """``async with SimServer(world) as sim:`` serves on ``sim.port`` of 127.0.0.1."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        consent: str | None = None,
    ) -> None:
        if consent is not None and consent not in CONSENT_MODES:
            raise ValueError(f"consent must be one of {CONSENT_MODES} or None, not {consent!r}")
        self.consent = consent
        self.world = world
        self.latency = latency  # seconds each answer takes, like a real platform's work
        self.host = host
        self.port = port
        self.stats: dict[str, HostStats] = {}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._connection, self.host, self.port, backlog=1024, limit=65536
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._stopping.set()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()
            for _ in range(100):  # let connection handlers see the abort and finish
                if not self._writers:
                    break
                await asyncio.sleep(0.01)

    async def __aenter__(self) -> SimServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def connect_to(self) -> str:
        """The ``--connect-to`` value that sends every host to this server."""
        return f"::{self.host}:{self.port}"

    def stats_dict(self) -> dict[str, Any]:
        return {host: s.as_dict() for host, s in sorted(self.stats.items())}

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                host = headers.get("host", "").lower()
                host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
                proxied = target.startswith("http://")  # absolute form: we are the proxy
                if proxied:
                    parts = urlsplit(target)
                    host = (parts.hostname or "").lower()
                    target = parts.path + (f"?{parts.query}" if parts.query else "")
                client = (headers.get("user-agent", ""), proxied, headers.get("cookie", ""))
                if not await self._dispatch(method, target, host, writer, client, body):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self,
        method: str,
        target: str,
        host: str,
        writer: asyncio.StreamWriter,
        client: tuple[str, bool, str],
        body: bytes = b"",
    ) -> bool:
        if target.startswith("/_sim/"):
            if target == "/_sim/state" and method == "POST":
                return await self._set_state(body, writer)
            return await self._control(method, target, writer)
        stats = self.stats.setdefault(host, HostStats())
        stats.enter()
        stats.user_agent, stats.proxied = client[0], stats.proxied + client[1]
        try:
            return await self._serve(target, host, writer, stats, client[2])
        finally:
            stats.in_flight -= 1

    async def _control(self, method: str, target: str, writer: asyncio.StreamWriter) -> bool:
        parts = urlsplit(target)
        if parts.path == "/_sim/reset" and method == "POST":
            self.stats.clear()
            body: Any = {"ok": True}
        elif parts.path == "/_sim/items":
            query = parse_qs(parts.query)
            if method == "POST":
                item = self._item_for_url(query.get("url", [""])[0])
                if item is None:
                    return await self._send(writer, 404, "application/json", b'{"ok":false}')
                item.state = State(query.get("state", [item.state])[0])
            body = [{"url": i.url, "state": i.state, "fault": i.fault} for i in self.world.unique()]
        else:
            body = self.stats_dict()
        return await self._send(writer, 200, "application/json", json.dumps(body).encode())

    async def _set_state(self, body: bytes, writer: asyncio.StreamWriter) -> bool:
        """``POST /_sim/state`` ``{"url", "state"}``: set the state of the item at ``url``."""
        try:
            request = json.loads(body)
            url, state = str(request["url"]), State(request["state"])
        except (ValueError, KeyError, TypeError):
            known = ", ".join(s.value for s in State)
            error = {"ok": False, "error": f'send {{"url": ..., "state": one of {known}}}'}
            return await self._send(writer, 400, "application/json", json.dumps(error).encode())
        item = find_item(self.world, [url])
        if item is None:
            error = {"ok": False, "error": f"no simulated item at {url}"}
            return await self._send(writer, 404, "application/json", json.dumps(error).encode())
        self.world.set_state(item, state)
        answer = {"ok": True, "url": item.url, "state": item.state}
        return await self._send(writer, 200, "application/json", json.dumps(answer).encode())

    def _item_for_url(self, url: str) -> Item | None:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.world.find((parts.hostname or "").lower(), target)

    async def _serve(
        self,
        target: str,
        host: str,
        writer: asyncio.StreamWriter,
        stats: HostStats,
        cookie: str = "",
    ) -> bool:
        platform = PLATFORM_OF_HOST.get(host)
        loop_target = target.removesuffix("&loop=1").removesuffix("?loop=1")
        item = self.world.find(host, loop_target) or self.world.find(host, target.split("#")[0])
        if host in CONSENT_HOSTS:
            return await self._send(writer, *pages.consent(target), stats=stats)
        if platform is None:
            return await self._send(writer, 404, pages.HTML, b"unknown virtual host", stats)
        if (
            platform == "youtube"
            and self.consent
            and (self.consent == "insist" or not _consented(cookie))
        ):
            wall = (
                f"http://consent.youtube.com/m?continue={quote(f'https://{host}{target}', safe='')}"
            )
            extra = {"Location": wall + "&gl=DE&m=0&pc=yt&cm=2&hl=en&src=1"}
            return await self._send(writer, 302, pages.HTML, b"", stats, extra)
        if item is None:
            if pages.is_login_path(target):
                return await self._send(writer, 200, *pages.login(platform)[1:], stats=stats)
            return await self._send(writer, *pages.not_found(platform, target), stats=stats)
        item.requests += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        state = item.state
        fault = item.fault
        if fault is Fault.TIMEOUT:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), FAULT_WAIT)
            return False
        if fault is Fault.RESET:
            writer.transport.abort()
            return False
        if fault is Fault.ERROR_5XX or (fault is Fault.BURST_5XX and item.requests <= item.burst):
            code = 500 if fault is Fault.ERROR_5XX else 503
            return await self._send(writer, code, pages.HTML, b"<h1>Server error</h1>", stats)
        if fault is Fault.RATE_429 and item.requests == 1:
            return await self._send(
                writer, 429, pages.HTML, b"slow down", stats, {"Retry-After": "1"}
            )
        if fault is Fault.RATE_429_LONG:
            return await self._send(
                writer, 429, pages.HTML, b"slow down", stats, {"Retry-After": "3600"}
            )
        if fault is Fault.REDIRECT_LOOP:
            nxt = (
                item.path
                if "loop=1" in target
                else item.path + ("&" if "?" in item.path else "?") + "loop=1"
            )
            return await self._send(writer, 302, pages.HTML, b"", stats, {"Location": nxt})
        if fault is Fault.REDIRECT_CHAIN:
            hop = int(target.rsplit("hop=", 1)[1]) + 1 if "hop=" in target else 1
            sep = "&" if "?" in item.path else "?"
            self.world.items.setdefault((host, f"{item.path}{sep}hop={hop}"), item)
            return await self._send(
                writer, 302, pages.HTML, b"", stats, {"Location": f"{item.path}{sep}hop={hop}"}
            )
        if fault is Fault.POISONED_REDIRECT:  # a checker must record it, not fail the batch
            return await self._send(
                writer, 302, pages.HTML, b"", stats, {"Location": "http://a..b/\\x"}
            )
        if fault is Fault.CAPTCHA:
            return await self._send(writer, *pages.captcha(), stats=stats)
        if fault is Fault.LOGIN:
            login = pages.login_path(item.platform, target)
            if item.platform == "youtube":  # YouTube signs in on Google's accounts host
                back = quote(f"https://{host}{target}", safe="")
                login = f"https://accounts.google.com/ServiceLogin?service=youtube&continue={back}"
            return await self._send(writer, 302, pages.HTML, b"", stats, {"Location": login})
        if fault is Fault.COOKIE_WALL and "sim_consent=yes" not in cookie:
            extra = {"Location": target, "Set-Cookie": "sim_consent=yes; Path=/; HttpOnly"}
            return await self._send(writer, 302, pages.HTML, b"", stats, extra)
        if fault is Fault.FLAPPING:
            state = State.LIVE if item.requests % 2 else State.REMOVED
        if item.platform == "shortener":
            return await self._send(
                writer, 301, pages.HTML, b"", stats, {"Location": item.target or "/"}
            )
        if (
            item.platform == "telegram"
            and item.kind == "channel"
            and target.startswith("/s/")
            and state not in (State.LIVE, State.REINSTATED)
        ):
            return await self._send(
                writer, 302, pages.HTML, b"", stats, {"Location": target.removeprefix("/s")}
            )
        status, ctype, body = pages.page(item, state)
        if fault is Fault.HUGE:
            return await self._huge(writer, body, stats)
        if fault is Fault.SLOW:
            return await self._slow(writer, status, ctype, body, stats)
        return await self._send(writer, status, ctype, body, stats)

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        ctype: str,
        body: bytes,
        stats: HostStats | None = None,
        extra: dict[str, str] | None = None,
    ) -> bool:
        if stats is not None:
            stats.statuses[status] += 1
        head = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
            f"Content-Type: {ctype}",
            f"Content-Length: {len(body)}",
            "Server: takedown-sim",
        ]
        head += [f"{k}: {v}" for k, v in (extra or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        return True

    async def _huge(self, writer: asyncio.StreamWriter, tail: bytes, stats: HostStats) -> bool:
        stats.statuses[200] += 1
        filler = b"<!-- " + b"x" * 65526 + b" -->"
        chunks = (HUGE_BYTES - len(tail)) // len(filler)
        size = chunks * len(filler) + len(tail)
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: {pages.HTML}\r\nContent-Length: {size}\r\n\r\n".encode()
        )
        for _ in range(chunks):
            writer.write(filler)
            await writer.drain()
        writer.write(tail)
        await writer.drain()
        return True

    async def _slow(
        self, writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes, stats: HostStats
    ) -> bool:
        stats.statuses[status] += 1
        writer.write(
            f"HTTP/1.1 {status} OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )
        for i in range(0, len(body), 8):
            writer.write(body[i : i + 8])
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 0.25)
            if self._stopping.is_set():
                return False
        return True
