"""The platform side of the referral workflow: a simulated platform agent that answers.

``PlatformAgent`` holds one platform token. It polls the pull API (following the ``next``
cursor), or, given a ``WebhookReceiver``, receives takedown's signed webhook deliveries on a
real HTTP server instead of polling. Either way it acknowledges new referrals and orders
through the platform API and decides for each item by a seeded ``Policy``: remove after a
delay drawn from a distribution (orders faster than referrals), decline a share with a reason,
restrict a share (geo), never answer a share. A removal first flips the simulated item to
``State.REMOVED`` (a geo restriction to ``GEO_BLOCKED``), and only then is the answer posted,
so the checker sees what the platform claims. An answer takedown recorded is never sent again;
one it refused (a 4xx other than 429) is not retried either, only failures of the connection
or the server are (up to ``MAX_ATTEMPTS``). It stops at a deadline, when told (``stop()``),
or, with ``until_idle``, when nothing is left to do (with webhooks: once something arrived,
everything is answered, and nothing new came for ``poll_interval`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import math
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from takedown.delivery.signing import DELIVERY_HEADER, SIGNATURE_HEADER, verify_signature
from takedown.errors import UserError
from takedown.sim.model import Item, State, World

log = logging.getLogger(__name__)
DISTRIBUTIONS = ("lognormal", "exponential")
DECLINE_REASONS = ("not a violation of our terms of service", "public interest: news reporting")
FLIP = {"removed": State.REMOVED, "restricted": State.GEO_BLOCKED}
MAX_ATTEMPTS = 3
MAX_WEBHOOK_BYTES = 8 * 1024 * 1024
WEBHOOK_READ_TIMEOUT = 10.0
WEBHOOK_TYPES = ("referral", "removal_order")
REASONS = {
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Decision:
    action: str  # removed, declined, restricted, or ignored (never answered)
    reason: str | None
    delay: float  # seconds after the agent first saw the item


@dataclass(frozen=True)
class Policy:
    """How a simulated platform answers. The same seed gives the same decision per item."""

    seed: int = 0
    median_delay: float = 60.0  # referrals, seconds
    order_speedup: float = 10.0  # orders: median_delay / order_speedup
    distribution: str = "lognormal"
    sigma: float = 1.0  # lognormal spread
    decline_share: float = 0.15
    restrict_share: float = 0.05
    ignore_share: float = 0.10

    def __post_init__(self) -> None:
        shares = {
            "decline_share": self.decline_share,
            "restrict_share": self.restrict_share,
            "ignore_share": self.ignore_share,
        }
        for name, value in shares.items():
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if sum(shares.values()) > 1:
            raise ValueError("decline_share + restrict_share + ignore_share must be at most 1")
        if self.median_delay < 0 or self.order_speedup <= 0 or self.sigma < 0:
            raise ValueError("median_delay and sigma must be >= 0, order_speedup > 0")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(
                f"distribution {self.distribution!r}: use {' or '.join(DISTRIBUTIONS)}"
            )

    def delay(self, rng: random.Random, median: float) -> float:
        if median == 0:
            return 0.0
        if self.distribution == "exponential":
            return rng.expovariate(math.log(2) / median)
        return median * math.exp(self.sigma * rng.gauss(0.0, 1.0))

    def decide(self, kind: str, ident: int) -> Decision:
        """``kind`` is "referral" (ident: item id) or "order" (ident: order id)."""
        rng = random.Random(f"{self.seed}/{kind}/{ident}")
        roll = rng.random()
        if kind == "order":  # binding: removed within the hour, or never answered
            action = "ignored" if roll < self.ignore_share else "removed"
            return Decision(action, None, self.delay(rng, self.median_delay / self.order_speedup))
        action, reason = "removed", None
        if roll < self.ignore_share:
            action = "ignored"
        elif roll < self.ignore_share + self.decline_share:
            action, reason = "declined", rng.choice(DECLINE_REASONS)
        elif roll < self.ignore_share + self.decline_share + self.restrict_share:
            action, reason = "restricted", "geo"
        return Decision(action, reason, self.delay(rng, self.median_delay))


def find_item(world: World, urls: Sequence[str]) -> Item | None:
    """The simulated item behind any of ``urls`` (host and target, aliases included)."""
    for url in urls:
        parts = urlsplit(url.split("#", 1)[0])
        host = (parts.hostname or "").lower()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        bare = host.removeprefix("www.")
        for candidate in dict.fromkeys((host, bare, f"www.{bare}")):
            item = world.find(candidate, target)
            if item is not None:
                return item
    return None


class WorldControl(Protocol):
    async def set_state(self, urls: Sequence[str], state: State) -> bool: ...


class LocalWorld:
    """The simulator's world in this process (``takedown serve --simulate-answers``, tests)."""

    def __init__(self, world: World) -> None:
        self.world = world

    async def set_state(self, urls: Sequence[str], state: State) -> bool:
        item = find_item(self.world, urls)
        if item is not None:
            self.world.set_state(item, state)
        return item is not None


class RemoteWorld:
    """A running simulator's world, through its ``POST /_sim/state`` control path."""

    def __init__(self, base: str, client: httpx.AsyncClient) -> None:
        self.base = base.rstrip("/")
        self.client = client

    async def set_state(self, urls: Sequence[str], state: State) -> bool:
        for url in urls:
            body = {"url": url, "state": state.value}
            response = await self.client.post(f"{self.base}/_sim/state", json=body)
            if response.status_code == 200:
                return True
        return False


Handler = Callable[[dict[str, Any]], Awaitable[int]]


class WebhookReceiver:
    """Receives takedown's signed webhook deliveries on a real HTTP/1.1 server (plain asyncio).

    Each POST must carry ``X-Takedown-Signature`` made with the platform unit's webhook secret
    (``takedown.delivery.signing``) within ``tolerance`` seconds: anything else is answered 401
    and goes no further. A signed body that is not a referral or removal order is a 400. The
    rest is handed to the agent, whose status goes back: 202 when taken, 503 when the platform
    API could not be reached (takedown's outbox then tries again later). One request per
    connection; the path is not checked.
    """

    def __init__(
        self,
        secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tolerance: int = 300,
        max_bytes: int = MAX_WEBHOOK_BYTES,
    ) -> None:
        if not secret:
            raise ValueError("a webhook receiver needs the platform unit's webhook secret")
        self.secret = secret
        self.host = host
        self.port = port
        self.tolerance = tolerance
        self.max_bytes = max_bytes
        self.statuses: Counter[int] = Counter()
        self._server: asyncio.Server | None = None
        self._handle: Handler | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def start(self, handle: Handler) -> None:
        """Listen (``port`` 0 picks a free port, then ``port`` says which); OSError if taken."""
        self._handle = handle
        if self._server is None:
            self._server = await asyncio.start_server(self._connection, self.host, self.port)
            self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                request = await asyncio.wait_for(self._read(reader), WEBHOOK_READ_TIMEOUT)
            except (TimeoutError, asyncio.IncompleteReadError, ValueError):
                request = 400
            status = request if isinstance(request, int) else await self._take(*request)
            self.statuses[status] += 1
            head = f"HTTP/1.1 {status} {REASONS.get(status, '')}\r\n"
            head += "Content-Length: 0\r\nConnection: close\r\n\r\n"
            writer.write(head.encode("ascii"))
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader) -> int | tuple[dict[str, str], bytes]:
        """The headers and body of one request, or the status that refuses it."""
        method, _, _ = (await reader.readline()).decode("latin-1").partition(" ")
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            key, _, value = line.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        if method != "POST":
            return 405
        length = headers.get("content-length", "")
        if not length.isdigit() or "transfer-encoding" in headers:
            return 411
        if int(length) > self.max_bytes:
            return 413
        return headers, await reader.readexactly(int(length))

    async def _take(self, headers: dict[str, str], body: bytes) -> int:
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        delivery = headers.get(DELIVERY_HEADER.lower(), "")
        if not signature or not verify_signature(
            self.secret, signature, body, delivery=delivery, tolerance=self.tolerance
        ):
            log.warning("webhook refused: bad or missing %s", SIGNATURE_HEADER)
            return 401
        try:
            payload = json.loads(body)
        except ValueError:
            return 400
        if not isinstance(payload, dict) or payload.get("type") not in WEBHOOK_TYPES:
            return 400
        return await self._handle(payload) if self._handle is not None else 503


@dataclass(order=True)
class _Task:
    due: float
    seq: int
    kind: str = field(compare=False)  # referral or order
    ident: int = field(compare=False)  # referral id or order id
    item_id: int = field(compare=False)
    urls: tuple[str, ...] = field(compare=False)
    decision: Decision = field(compare=False)
    attempts: int = field(default=0, compare=False)


@dataclass
class AgentStats:
    referrals: int = 0  # acknowledged
    orders: int = 0  # acknowledged
    answers: Counter[str] = field(default_factory=Counter)
    ignored: int = 0
    unmatched: int = 0  # answered, but no simulated item had the URL
    errors: int = 0
    webhooks: int = 0  # deliveries received and taken (webhook mode)
    refused: int = 0  # deliveries refused: bad signature, bad request, or the API failed
    decisions: dict[str, str] = field(default_factory=dict)  # "referral:ITEM"/"order:ID" -> action

    def as_dict(self) -> dict[str, Any]:
        return {
            "referrals": self.referrals,
            "orders": self.orders,
            "answers": dict(sorted(self.answers.items())),
            "ignored": self.ignored,
            "unmatched": self.unmatched,
            "errors": self.errors,
            "webhooks": self.webhooks,
            "refused": self.refused,
        }


class PlatformAgent:
    """One platform's agent, answering through the pull API with one bearer token.

    With ``webhook``, referrals and orders come from its deliveries instead of polling.
    """

    def __init__(
        self,
        api: str,
        token: str,
        world: WorldControl,
        policy: Policy | None = None,
        *,
        poll_interval: float = 2.0,
        name: str = "platform",
        webhook: WebhookReceiver | None = None,
    ) -> None:
        self.api = api.rstrip("/").removesuffix("/api/v1") + "/api/v1/platform"
        self.token = token
        self.world = world
        self.policy = policy or Policy()
        self.poll_interval = poll_interval
        self.name = name
        self.stats = AgentStats()
        self._due: list[_Task] = []
        self._seen: set[str] = set()
        self._seq = itertools.count()
        self._cursor = {"referrals": 0, "orders": 0}
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self.webhook = webhook
        self._client: httpx.AsyncClient | None = None
        self._last_delivery: float | None = None

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Poll now (a webhook said there is something new)."""
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._due)

    async def listen(self) -> str:
        """Start the webhook receiver now (``run`` does it otherwise); returns its URL."""
        if self.webhook is None:
            raise ValueError("this agent polls; it has no webhook receiver")
        await self.webhook.start(self._delivered)
        return self.webhook.url

    async def run(self, duration: float | None = None, *, until_idle: bool = False) -> AgentStats:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration if duration else math.inf
        headers = {"Authorization": f"Bearer {self.token}"}
        polling = self.webhook is None
        async with httpx.AsyncClient(headers=headers, timeout=10.0, trust_env=False) as client:
            self._client = client
            try:
                if self.webhook is not None:
                    log.info("%s: receiving webhooks at %s", self.name, await self.listen())
                next_poll = loop.time() if polling else math.inf
                while not self._stop.is_set() and loop.time() < deadline:
                    if not polling:
                        self._wake.clear()
                        if until_idle and not self._due and loop.time() >= self._quiet_at():
                            break
                    elif loop.time() >= next_poll or self._wake.is_set():
                        self._wake.clear()
                        found = await self._poll(client)
                        next_poll = loop.time() + self.poll_interval
                        if until_idle and found == 0 and not self._due:
                            break
                    while self._due and self._due[0].due <= loop.time() and not self._stop.is_set():
                        await self._perform(client, heapq.heappop(self._due))
                    wake_at = min(next_poll, deadline, self._due[0].due if self._due else math.inf)
                    if until_idle and not polling:
                        wake_at = min(wake_at, self._quiet_at())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), max(0.0, wake_at - loop.time()))
            finally:
                self._client = None
                if self.webhook is not None:
                    await self.webhook.stop()
        return self.stats

    def _quiet_at(self) -> float:
        """When, receiving webhooks, the agent counts as idle: ``poll_interval`` after the
        last delivery; never before the first one."""
        if self._last_delivery is None:
            return math.inf
        return self._last_delivery + self.poll_interval

    async def _delivered(self, payload: dict[str, Any]) -> int:
        """One verified webhook delivery: acknowledge it and schedule its items, as a poll
        would. The HTTP status for the receiver to answer."""
        client = self._client
        if client is None or self._stop.is_set():
            self.stats.refused += 1
            return 503
        try:
            if payload["type"] == "referral":
                referral = {"id": int(payload["referral_id"]), "items": list(payload["items"])}
                await self._referral(client, referral)
            else:
                await self._order(client, payload)
        except (KeyError, TypeError, ValueError) as exc:
            self.stats.refused += 1
            log.warning("%s: a webhook delivery is missing %s", self.name, exc)
            return 400
        except httpx.HTTPError as exc:
            self.stats.errors += 1
            self.stats.refused += 1
            log.warning("%s: the platform API failed: %s", self.name, exc)
            return 503
        self.stats.webhooks += 1
        self._last_delivery = asyncio.get_running_loop().time()
        self._wake.set()
        return 202

    async def _poll(self, client: httpx.AsyncClient) -> int | None:
        """New items scheduled; None when the API could not be read."""
        try:
            found = 0
            for referral in await self._pages(client, "referrals"):
                found += await self._referral(client, referral)
            for order in await self._pages(client, "orders"):
                found += await self._order(client, order)
            return found
        except httpx.HTTPError as exc:
            self.stats.errors += 1
            log.warning("%s: the platform API failed: %s", self.name, exc)
            return None

    async def _pages(self, client: httpx.AsyncClient, what: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        since: int | None = self._cursor[what]
        while since is not None:
            response = await client.get(f"{self.api}/{what}", params={"since": since})
            if response.status_code in (401, 403):
                raise UserError(f"the platform API refused the token ({response.status_code})")
            response.raise_for_status()
            body = response.json()
            page = body[what]
            out += page
            if page:
                key = "id" if what == "referrals" else "order_id"
                self._cursor[what] = max(self._cursor[what], *(int(r[key]) for r in page))
            since = body.get("next")
        return out

    async def _referral(self, client: httpx.AsyncClient, referral: dict[str, Any]) -> int:
        rid = int(referral["id"])
        if f"ack:{rid}" not in self._seen:
            self._seen.add(f"ack:{rid}")
            (await client.post(f"{self.api}/referrals/{rid}/ack")).raise_for_status()
            self.stats.referrals += 1
        found = 0
        for item in referral["items"]:
            key = f"referral:{item['item_id']}"
            if item.get("answer") is not None or key in self._seen:
                continue
            urls = tuple(u for u in (item.get("url"), item.get("canonical_url")) if u)
            found += self._schedule("referral", rid, int(item["item_id"]), urls)
        return found

    async def _order(self, client: httpx.AsyncClient, order: dict[str, Any]) -> int:
        oid = int(order["order_id"])
        if f"order:{oid}" in self._seen:
            return 0
        (await client.post(f"{self.api}/orders/{oid}/ack")).raise_for_status()
        self.stats.orders += 1
        return self._schedule("order", oid, int(order["item_id"]), (str(order["url"]),))

    def _schedule(self, kind: str, ident: int, item_id: int, urls: tuple[str, ...]) -> int:
        key = f"{kind}:{item_id if kind == 'referral' else ident}"
        self._seen.add(key)
        decision = self.policy.decide(kind, item_id if kind == "referral" else ident)
        self.stats.decisions[key] = decision.action
        if decision.action == "ignored":
            self.stats.ignored += 1
            return 1
        due = asyncio.get_running_loop().time() + decision.delay
        heapq.heappush(self._due, _Task(due, next(self._seq), kind, ident, item_id, urls, decision))
        return 1

    async def _perform(self, client: httpx.AsyncClient, task: _Task) -> None:
        decision = task.decision
        try:
            state = FLIP.get(decision.action)
            if state is not None and not await self.world.set_state(task.urls, state):
                self.stats.unmatched += 1
                log.info("%s: no simulated item for %s", self.name, task.urls[0])
            answer = {"action": decision.action, "reason": decision.reason}
            if task.kind == "order":
                url = f"{self.api}/orders/{task.ident}/answer"
                response = await client.post(url, json=answer)
            else:
                url = f"{self.api}/referrals/{task.ident}/answers"
                body = {"answers": [{"item_id": task.item_id, **answer}]}
                response = await client.post(url, json=body)
            response.raise_for_status()
            self.stats.answers[decision.action] += 1
            log.info(
                "%s: %s item %s (%s %s)",
                self.name,
                decision.action,
                task.item_id,
                task.kind,
                task.ident,
            )
        except httpx.HTTPError as exc:
            self.stats.errors += 1
            log.warning("%s: answering item %s failed: %s", self.name, task.item_id, exc)
            status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else 0
            if 400 <= status < 500 and status != 429:
                return  # takedown refused the answer itself: sending it again changes nothing
            if task.attempts + 1 < MAX_ATTEMPTS:
                task.attempts += 1
                task.due = asyncio.get_running_loop().time() + self.poll_interval
                heapq.heappush(self._due, task)
