"""The checker: fetch politely, retry what is worth retrying, decide with evidence.

``removed`` needs positive evidence from a rule. Errors, timeouts, refusals, 429s, 5xx,
redirect loops and challenges end as ``unknown`` or ``unreachable`` with the reason; when
``confirm_removed`` is on, a removal is fetched a second time and a disagreement is
reported as flapping instead of as removed. A second answer identical to the first (final
URL, status, content type and the body's digest) is the same evidence, so it is not read
through the rules again: they would decide the same.

Whatever goes wrong with one URL stays with that URL: a failure nobody foresaw (a hostile
header, a bug) is that URL's ``unknown`` verdict with the error as its reason, and a batch
(``check_many``) always finishes with one result per URL.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from takedown.checker.deadlines import Deadline, Deadlines
from takedown.checker.fetch import CheckerClient, Fetched, RedirectProblem, fetch, parse_url
from takedown.checker.guard import Guard, Refused
from takedown.checker.http1 import FastTransport
from takedown.checker.limits import HostLimits, backoff, retry_after
from takedown.checker.model import CheckerSettings, CheckResult, Evidence, Verdict
from takedown.checker.rules import RuleBook, default_rules
from takedown.checker.transport import (
    GUARD_PREFIX,
    ConnectTo,
    GuardedBackend,
    HostPools,
    Resolver,
    SystemResolver,
)

log = logging.getLogger(__name__)
Outcome = tuple[Verdict, str, int | None, str | None]
# what a decision is made from: final URL, status, content type (the charset) and body digest
Reading = tuple[str | None, int | None, str | None, str | None]


def _reading(
    final_url: str | None, status: int | None, headers: Mapping[str, str], evidence: Evidence
) -> Reading:
    return final_url, status, headers.get("content-type"), evidence.body_sha256


T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed: a check costs about 5% less CPU."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - a dependency everywhere but Windows
        return asyncio.run(main)
    return uvloop.run(main)


def _parse(url: str) -> httpx.URL | Refused:
    """The URL parsed once a check (its confirmation fetches the same), or why not."""
    try:
        return parse_url(url)
    except Refused as exc:
        return exc
    except Exception as exc:  # not a str, or a parser bug: this URL only
        return Refused(f"not a valid URL: {type(exc).__name__}: {exc}")


class _Decisions:
    """Pages read through the rules together, once a turn of the event loop.

    A decision is the one part of a check that is all CPU: the HTML parser, the selector
    engine, the JSON decoder and the rules. Made one at a time between network events, its
    code and data are out of the CPU caches every time: it cost a check about three times
    what it costs in a loop of decisions (docs/checker.md). So a check that has its answer
    waits for the end of the loop's turn, and every check that got its answer in that turn
    is decided then, one after the other. Each still gets its own outcome, or its own
    exception; a check cancelled while it waits (its time cap) is skipped.
    """

    def __init__(self, decide: Callable[[str, Fetched, Evidence], Outcome]) -> None:
        self._decide = decide
        self._waiting: list[tuple[str, Fetched, Evidence, asyncio.Future[Outcome]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def decide(self, url: str, fetched: Fetched, evidence: Evidence) -> Outcome:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop: what waited on an old one is gone
            self._loop, self._waiting = loop, []
        if not self._waiting:
            loop.call_soon(self._run, loop)
        future: asyncio.Future[Outcome] = loop.create_future()
        self._waiting.append((url, fetched, evidence, future))
        return await future

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:
            return  # what waited on that loop was dropped when another one came
        waiting, self._waiting = self._waiting, []
        for url, fetched, evidence, future in waiting:
            if future.done():  # cancelled while it waited
                continue
            try:
                future.set_result(self._decide(url, fetched, evidence))
            except Exception as exc:  # that check's failure, reported by that check
                future.set_exception(exc)


class Checker:
    """Use as ``async with Checker(settings) as checker: await checker.check(url)``."""

    def __init__(
        self,
        settings: CheckerSettings | None = None,
        *,
        resolver: Resolver | None = None,
        rules: RuleBook | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = s = settings or CheckerSettings()
        self.rules = rules or default_rules()
        self.rng = rng or random.Random()
        self.backend = GuardedBackend(
            Guard.from_cidrs(s.allow_networks),
            resolver or SystemResolver(),
            tuple(ConnectTo.parse(c) for c in s.connect_to),
        )
        transport: httpx.AsyncBaseTransport
        if s.proxy is None:
            transport = FastTransport(
                self.backend, per_host=s.per_host_concurrency, verify=s.verify_tls
            )
        else:  # the fast transport does not speak to proxies; httpcore does
            transport = HostPools(
                self.backend, proxy=s.proxy, per_host=s.per_host_concurrency, verify=s.verify_tls
            )
        timeout = httpx.Timeout(
            connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
        )
        self.client = CheckerClient(
            transport=transport,
            # identity: the rules read the bytes as sent (fetch reads raw, up to a cap)
            headers={
                "user-agent": s.user_agent,
                "accept": "text/html,*/*;q=0.8",
                "accept-encoding": "identity",
            },
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )
        self._deadlines = Deadlines()  # each check's whole-check timeout
        self._decisions = _Decisions(self._decide)
        self.limits = HostLimits(
            s.concurrency, s.per_host_concurrency, s.per_host_rate, s.per_host_burst
        )

    async def __aenter__(self) -> Checker:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def check_many(
        self,
        urls: Iterable[str],
        on_result: Callable[[CheckResult], Awaitable[None] | None] | None = None,
    ) -> list[CheckResult]:
        """Check all URLs under the limits; results come back in input order.

        Workers, at most ``concurrency`` of them and ``per_host_concurrency`` on one host,
        each check one host's URLs in turn, then move to a host that has URLs waiting and a
        free place. Memory and the garbage collector's work stay flat however many URLs
        come in, and no task is made per URL. ``on_result`` runs in the worker before its
        next check, so keep it quick.
        """
        urls = list(urls)
        starts = [_parse(url) for url in urls]
        queues: dict[str, deque[int]] = {}
        for i, start in enumerate(starts):
            queues.setdefault(start.host if isinstance(start, httpx.URL) else "", deque()).append(i)
        results: list[CheckResult | None] = [None] * len(urls)
        per_host = max(1, self.settings.per_host_concurrency)
        active = dict.fromkeys(queues, 0)
        ready = deque(queues)  # hosts with URLs waiting and a free place, each host once

        def move(leaving: str | None) -> str | None:
            """A worker leaves a host (if on one) and takes a place on the next ready host."""
            if leaving is not None:
                active[leaving] -= 1
                if queues[leaving] and active[leaving] == per_host - 1:
                    ready.append(leaving)  # it was full, so it was not in ``ready``
            while ready:
                host = ready.popleft()
                if not queues[host]:
                    continue  # emptied by the workers already on it
                active[host] += 1
                if active[host] < per_host:
                    ready.append(host)
                return host
            return None

        async def worker(host: str | None) -> None:
            while host is not None:
                queue = queues[host]
                if queue:
                    i = queue.popleft()
                    result = results[i] = await self._check_from(urls[i], starts[i])
                    if on_result is not None:
                        maybe = on_result(result)
                        if maybe is not None:
                            await maybe
                if not queue:
                    host = move(host)

        first = [move(None) for _ in range(min(len(urls), max(1, self.settings.concurrency)))]
        workers = [asyncio.ensure_future(worker(host)) for host in first if host is not None]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return [r for r in results if r is not None]

    async def check(self, url: str) -> CheckResult:
        return await self._check_from(url, _parse(url))

    async def _check_from(self, url: str, start: httpx.URL | Refused) -> CheckResult:
        s = self.settings
        evidence = Evidence()
        checked_at: datetime | None = None  # when the check starts, not when it queued
        try:
            if isinstance(start, Refused):
                raise start
            async with self.limits.gate(start.host), Deadline(self._deadlines, s.check_timeout):
                checked_at = datetime.now(UTC)
                verdict, reason, status, final = await self._check(url, start, evidence)
        except TimeoutError:
            verdict, reason = (
                Verdict.UNREACHABLE,
                (f"timeout: no answer within {self.settings.check_timeout:g} s"),
            )
            status, final = None, None
        except Refused as exc:
            verdict, reason, status, final = Verdict.UNKNOWN, f"refused: {exc}", None, None
        except Exception as exc:  # the last resort: one URL never stops a batch
            log.exception("check of %r failed unexpectedly", url)
            reason = f"checker error: {type(exc).__name__}: {exc}"[:500]
            verdict, status, final = Verdict.UNKNOWN, None, None
        when = checked_at or datetime.now(UTC)  # refused before it started
        return CheckResult(url, verdict, reason, status, final, evidence, when)

    async def _check(self, url: str, start: httpx.URL, evidence: Evidence) -> Outcome:
        outcome = await self._attempts(url, start, evidence)
        if outcome[0] is Verdict.REMOVED and self.settings.confirm_removed:
            first = (evidence.rule, evidence.matched)
            seen = (_reading(evidence.final_url, outcome[2], evidence.headers, evidence), outcome)
            again = await self._attempts(url, start, Evidence(), seen)
            evidence.observations = [str(outcome[0]), str(again[0])]
            if again[0] is not Verdict.REMOVED:
                return (
                    Verdict.UNKNOWN,
                    f"flapping: removed ({first[0]}), then {again[0]} ({again[1]})",
                    again[2],
                    again[3],
                )
        return outcome

    async def _attempts(
        self,
        url: str,
        start: httpx.URL,
        evidence: Evidence,
        seen: tuple[Reading, Outcome] | None = None,
    ) -> Outcome:
        s = self.settings
        last: Outcome = (Verdict.UNKNOWN, "not attempted", None, None)
        for attempt in range(s.retries + 1):
            evidence.attempts += 1
            wait: float | None = None
            try:
                fetched = await fetch(
                    self.client,
                    self.backend,
                    self.limits,
                    start,
                    evidence,
                    max_redirects=s.max_redirects,
                    max_body=s.max_body_bytes,
                    prevet=s.proxy is not None,
                    walls=self.rules.wall_for,
                )
            except RedirectProblem as exc:
                return Verdict.UNKNOWN, str(exc), None, None
            except httpx.ConnectError as exc:
                if str(exc).startswith(GUARD_PREFIX):
                    raise Refused(str(exc).removeprefix(GUARD_PREFIX)) from None
                last = (Verdict.UNREACHABLE, f"connection failed: {exc}", None, None)
            except httpx.TimeoutException as exc:
                last = (Verdict.UNREACHABLE, f"timeout: {type(exc).__name__}", None, None)
            except httpx.TransportError as exc:
                last = (
                    Verdict.UNREACHABLE,
                    f"transport error: {type(exc).__name__}: {exc}",
                    None,
                    None,
                )
            else:
                status = fetched.status
                if status == 429 or status >= 500:
                    wait = retry_after(fetched.headers.get("retry-after"))
                    what = "rate limited (429)" if status == 429 else f"server error {status}"
                    last = (
                        Verdict.UNKNOWN,
                        f"{what} after {attempt + 1} attempt(s)",
                        status,
                        fetched.url,
                    )
                    if wait is not None and wait > s.max_retry_after:
                        return (
                            Verdict.UNKNOWN,
                            f"{what}: Retry-After {wait:g} s exceeds {s.max_retry_after:g} s",
                            status,
                            fetched.url,
                        )
                else:
                    if seen is not None and seen[0] == _reading(
                        fetched.url, fetched.status, fetched.headers, evidence
                    ):
                        return seen[1]  # the same answer, byte for byte: the same decision
                    return await self._decisions.decide(url, fetched, evidence)
            if attempt < s.retries:
                await asyncio.sleep(
                    wait
                    if wait is not None
                    else backoff(attempt, s.backoff_base, s.backoff_max, self.rng)
                )
        return last

    def _decide(self, url: str, fetched: Fetched, evidence: Evidence) -> Outcome:
        text = fetched.text(
            fetched.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip()
            or None
        )
        rules = self.rules
        decision = rules.decide(
            url, fetched.url, fetched.status, text, fetched.wall, host=fetched.host
        )
        platform = rules.platform_for_host(fetched.host)
        evidence.final_url = fetched.url
        evidence.platform = platform.name if platform else "web"
        evidence.rule = decision.rule
        evidence.matched = decision.matched
        if len(evidence.chain) > 1 and rules.is_shortener(url):
            evidence.shortener = {"url": url, "target": fetched.url}
        reason = decision.reason
        if fetched.truncated and decision.verdict is not Verdict.REMOVED:
            reason += f" (read the first {len(fetched.body)} bytes only)"
        return decision.verdict, reason, fetched.status, fetched.url
