"""Benchmark the checker against the platform simulator, beside bare httpx and aiohttp loops.

    .venv/bin/python bench/checker.py                 # 26,000 URLs, 9 platforms, 16 per host
    .venv/bin/python bench/checker.py --urls 2000     # a quick run
    .venv/bin/python bench/checker.py --rounds 3      # best of 3: less noise on a busy machine

The simulator runs in its own process on 127.0.0.1 (``takedown simulate``); all traffic stays
on loopback. Every loop fetches the same URLs at the same concurrency (per host and in total)
on the same event loop. A bare loop makes one GET per URL and reads the answer; a check makes
as many requests as it needs: redirect hops, retries, and a second fetch of every removal
(``confirm_removed``, on by default: a removal is reported only when two fetches agree). So
the checker is also run without confirmation, to show what the confirmation costs; the goals
are judged on the default. The per-host limits are shown from the simulator's own counters,
not the client's.

The goals compare the best round of each loop. Each round's own ratio (the checker against
the bare aiohttp loop of the same round) is printed too: on a machine shared with other work,
a round that one of them lost to a neighbour shows there.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from takedown.checker import Checker, CheckerSettings

PLATFORMS = "telegram,youtube,x,facebook,instagram,tiktok,vk,rumble,archive_org"


def start_sim(
    per_platform: int, seed: int, latency: float
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    cmd = [
        sys.executable,
        "-c",
        "from takedown.cli import main; main()",
        "simulate",
        "--port",
        "0",
        "--items",
        str(per_platform),
        "--seed",
        str(seed),
        "--platforms",
        PLATFORMS,
        "--duration",
        "900",
        "--latency",
        str(latency),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline())
    return proc, ready


async def control(base: str, path: str, method: str = "GET") -> Any:
    async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
        response = await client.request(method, path, timeout=30)
        return response.json()


async def bare_loop(urls: list[str], address: str, per_host: int) -> tuple[float, Counter[int]]:
    """httpx at the same concurrency and pool layout (one client of ``per_host`` per host)."""
    statuses: Counter[int] = Counter()
    hosts = sorted({urlsplit(u).hostname or "" for u in urls})
    limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
    clients = {h: httpx.AsyncClient(limits=limits, trust_env=False, timeout=30) for h in hosts}
    sems = {h: asyncio.Semaphore(per_host) for h in hosts}

    async def one(url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        async with sems[host]:
            response = await clients[host].get(f"http://{address}{target}", headers={"host": host})
            statuses[response.status_code] += 1

    start = time.perf_counter()
    await asyncio.gather(*(one(u) for u in urls))
    elapsed = time.perf_counter() - start
    for client in clients.values():
        await client.aclose()
    return elapsed, statuses


async def aiohttp_loop(urls: list[str], address: str, per_host: int) -> tuple[float, Counter[int]]:
    """aiohttp at the same concurrency and pool layout (one session of ``per_host`` per host)."""
    import aiohttp
    from yarl import URL

    statuses: Counter[int] = Counter()
    hosts = sorted({urlsplit(u).hostname or "" for u in urls})
    sessions = {
        h: aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=per_host, limit_per_host=per_host),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        for h in hosts
    }
    sems = {h: asyncio.Semaphore(per_host) for h in hosts}

    async def one(url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        async with (
            sems[host],
            sessions[host].get(
                URL(f"http://{address}{target}", encoded=True),
                headers={"host": host},
                allow_redirects=False,
            ) as response,
        ):
            await response.read()
            statuses[response.status] += 1

    start = time.perf_counter()
    await asyncio.gather(*(one(u) for u in urls))
    elapsed = time.perf_counter() - start
    for session in sessions.values():
        await session.close()
    return elapsed, statuses


async def checker_loop(urls: list[str], settings: CheckerSettings) -> tuple[float, Counter[str]]:
    async with Checker(settings) as checker:
        start = time.perf_counter()
        results = await checker.check_many(urls)
        elapsed = time.perf_counter() - start
    return elapsed, Counter(str(r.verdict) for r in results)


def show_limits(stats: dict[str, Any], per_host: int, verbose: bool = True) -> bool:
    ok = True
    for host, s in stats.items():
        holds = s["max_in_flight"] <= per_host
        ok &= holds
        if verbose:
            print(
                f"    {host:<20} requests {s['requests']:>6}  max in flight"
                f" {s['max_in_flight']:>3} (limit {per_host}: {'holds' if holds else 'EXCEEDED'})"
                f"  busiest second {s['max_per_second']:>5}"
            )
    if not verbose:
        top = max((s["max_in_flight"] for s in stats.values()), default=0)
        print(f"    max in flight on any host {top} (limit {per_host})")
    return ok


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def main(args: argparse.Namespace) -> int:
    per_platform = -(-args.urls // 9)  # round up, then keep exactly --urls of them
    proc, ready = start_sim(per_platform, args.seed, args.latency)
    base = f"http://{ready['address']}"
    try:
        items = await control(base, "/_sim/items")
        items = items[: args.urls]
        urls = [i["url"] for i in items]
        states = Counter(i["state"] for i in items)
        print(
            f"simulator: {ready['address']}, {len(urls)} URLs on {len(ready['hosts'])} "
            f"platforms; states {dict(states)}; event loop {args.loop}; "
            f"{args.rounds} round(s), best of them reported"
        )
        settings = CheckerSettings(
            allow_networks=("127.0.0.1/32",),
            connect_to=(ready["connect_to"],),
            concurrency=args.per_host * 9,
            per_host_concurrency=args.per_host,
            per_host_rate=args.rate,
            per_host_burst=args.per_host,
            confirm_removed=not args.no_confirm,
        )
        variants = [("checker", settings)]
        if settings.confirm_removed:
            variants.append(("checker, no confirmation", replace(settings, confirm_removed=False)))
        best: dict[str, float] = {}
        each: list[dict[str, float]] = []  # every round's rates, for the round-by-round ratio
        requests_per_check = 0.0
        holds = True
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no}")
            each.append({})
            for name, loop in (("bare httpx", bare_loop), ("bare aiohttp", aiohttp_loop)):
                await control(base, "/_sim/reset", "POST")
                gc.collect()  # each loop starts from the same heap, not the last one's garbage
                elapsed, statuses = await loop(urls, ready["address"], args.per_host)
                rate = len(urls) / elapsed
                best[name] = max(best.get(name, 0.0), rate)
                each[-1][name] = rate
                print(
                    f"  {name} loop: {len(urls)} GETs in {elapsed:.1f} s = {rate:,.0f} req/s "
                    f"(statuses {dict(statuses)})"
                )
                holds &= show_limits(await control(base, "/_sim/stats"), args.per_host, False)
            for name, variant in variants:
                await control(base, "/_sim/reset", "POST")
                gc.collect()
                elapsed, verdicts = await checker_loop(urls, variant)
                stats = await control(base, "/_sim/stats")
                rate = len(urls) / elapsed
                best[name] = max(best.get(name, 0.0), rate)
                each[-1][name] = rate
                requests = sum(s["requests"] for s in stats.values())
                if name == "checker":
                    requests_per_check = requests / len(urls)
                print(
                    f"  {name}: {len(urls)} checks in {elapsed:.1f} s = {rate:,.0f} checks/s "
                    f"({requests} requests = {requests / elapsed:,.0f} req/s; "
                    f"rate limit {args.rate:g}/s per host) verdicts {dict(verdicts)}"
                )
                holds &= show_limits(stats, args.per_host, verbose=round_no == 1)
        print(
            f"per-host concurrency limit {'held on every host in every run' if holds else 'EXCEEDED'}"
            " (server-side counters)"
        )
        rate = best["checker"]
        print(
            f"checker (confirm_removed={settings.confirm_removed}, "
            f"{requests_per_check:.2f} requests a check): {rate:,.0f} checks/s"
        )
        print(f"goal: >= 1,000 checks/s on this machine: {_met(rate >= 1000)} ({rate:,.0f})")
        for bare in ("bare httpx", "bare aiohttp"):
            ratio = rate / best[bare]
            print(
                f"goal: checker >= 50% of the {bare} loop ({best[bare]:,.0f} req/s): "
                f"{_met(ratio >= 0.5)} ({ratio:.1%}; per request "
                f"{ratio * requests_per_check:.0%})"
            )
        ratio = rate / best["bare aiohttp"]
        print(
            f"floor: checker >= 45% of the bare aiohttp loop, pages parsed: {_met(ratio >= 0.45)}"
        )
        print(
            "each round, checker against the bare aiohttp loop of that round: "
            + ", ".join(f"{r['checker'] / r['bare aiohttp']:.1%}" for r in each)
        )
        if "checker, no confirmation" in best:
            plain = best["checker, no confirmation"]
            print(
                f"without confirmation (not the default): {plain:,.0f} checks/s = "
                + ", ".join(f"{plain / best[b]:.0%} of {b}" for b in ("bare httpx", "bare aiohttp"))
            )
        return 0 if holds else 1
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=26_000)
    parser.add_argument("--per-host", type=int, default=16)
    parser.add_argument("--rate", type=float, default=0.0, help="per-host requests/s (0: off)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--latency", type=float, default=0.005, help="simulated answer time, s")
    parser.add_argument("--no-confirm", action="store_true", help="skip re-fetching removals")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--rounds", type=int, default=1, help="repeat; report the best")
    arguments = parser.parse_args()
    if arguments.loop == "uvloop":
        import uvloop

        sys.exit(uvloop.run(main(arguments)))
    sys.exit(asyncio.run(main(arguments)))
