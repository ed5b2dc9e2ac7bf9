"""Workflow benchmark: 26,000 items through assess → refer → platform answers over HTTP.

A real ``takedown serve`` runs on 127.0.0.1; 20 concurrent clients (threads, one httpx client
each) drive it. Items are invented Telegram posts and YouTube videos reported by one unit.

Phases, each timed on its own:
  report   POST /operations/{op}/reports, batches of 500
  assess   POST /items/{id}/assessments, one per item
  refer    POST /operations/{op}/referrals, per platform, after each wave of assessments
  pull     GET  /platform/referrals (the since-cursor loop of both platform agents)
  answer   POST /platform/referrals/{id}/answers, 50 items per request

  .venv/bin/python bench/workflow.py                       # 26,000 items, SQLite
  .venv/bin/python bench/workflow.py --items 2000          # quicker
  .venv/bin/python bench/workflow.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/x

With --postgres, SQLite runs first, then PostgreSQL (its data is kept; names get a run suffix).
Figures are printed, never asserted: on a shared machine they are noisy. A refused request
(4xx/5xx) or a dropped connection is counted per phase and shown as FAILED; the run goes on.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

TAKEDOWN = Path(sys.executable).with_name("takedown")


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    items: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # status or transport error → count

    def line(self) -> str:
        n = len(self.latencies)
        if not n:
            return f"  {self.name:<7} no requests"
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(n - 1, int(n * 0.99))] * 1000
        failed = ", ".join(f"{n} × {code}" for code, n in sorted(self.errors.items()))
        return (
            f"  {self.name:<7} {n:>6} req in {self.seconds:7.1f} s  {n / self.seconds:8.1f} req/s  "
            f"p50 {p50:7.1f} ms  p99 {p99:8.1f} ms  {self.items / self.seconds:8.1f} items/s"
            + (f"  FAILED: {failed}" if failed else "")
        )


class Clients:
    """Thread-local httpx clients for one bearer token, with timed requests."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.local = threading.local()
        self.all: list[httpx.Client] = []
        self.lock = threading.Lock()

    def _client(self) -> httpx.Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = httpx.Client(
                base_url=self.base + "/api/v1",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=300,
            )
            self.local.client = client
            with self.lock:
                self.all.append(client)
        return client

    def call(self, phase: Phase, method: str, path: str, **kw: Any) -> Any:
        """The JSON answer, or None when the server refused (counted in ``phase.errors``)."""
        t = time.perf_counter()
        try:
            r = self._client().request(method, path, **kw)
            failed = str(r.status_code) if r.status_code >= 400 else None
        except httpx.TransportError as exc:  # e.g. the server reset the connection
            failed = type(exc).__name__
        took = time.perf_counter() - t
        with self.lock:
            phase.latencies.append(took)
            if failed:
                phase.errors[failed] = phase.errors.get(failed, 0) + 1
        return None if failed else r.json()

    def close(self) -> None:
        for client in self.all:
            client.close()


def _timed(
    phase: Phase, pool: ThreadPoolExecutor, fn: Callable[[Any], int], jobs: Iterable[Any]
) -> None:
    t = time.perf_counter()
    phase.items += sum(pool.map(fn, jobs))
    phase.seconds += time.perf_counter() - t


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _setup(db_url: str, suffix: str) -> tuple[str, dict[str, str]]:
    """Operation, a referral unit, two platform units and their tokens, via the services."""
    from takedown.services import operations, units
    from takedown.store.db import Database

    db = Database(db_url)
    db.migrate()
    op = f"BENCH{suffix}"
    with db.session() as s:
        operations.create_operation(s, op, actor="bench")
        iru = units.create_unit(s, f"IRU{suffix}", "referral_unit", actor="bench")
        tg = units.create_unit(s, f"TG{suffix}", "platform", actor="bench", platforms=["telegram"])
        yt = units.create_unit(s, f"YT{suffix}", "platform", actor="bench", platforms=["youtube"])
        tokens = {
            "analyst": units.create_token(s, iru, "analyst", actor="bench")[1],
            "telegram": units.create_token(s, tg, "platform_agent", actor="bench")[1],
            "youtube": units.create_token(s, yt, "platform_agent", actor="bench")[1],
        }
    db.dispose()
    return op, tokens


def _url(i: int, suffix: str) -> str:
    if i % 2:
        code = f"{i:09d}{suffix[-2:]:>2}".replace(" ", "x")
        return f"https://www.youtube.com/watch?v={code[:11]}"
    return f"https://t.me/bench{suffix}_{i % 997}/{i}"


def run(label: str, db_url: str, data_dir: Path, n_items: int, clients: int, wave: int) -> None:
    suffix = str(int(time.time()))[-6:]
    op, tokens = _setup(db_url, suffix)
    env = {
        **os.environ,
        "TAKEDOWN_DATA_DIR": str(data_dir),
        "TAKEDOWN_DATABASE_URL": db_url,
        "TAKEDOWN_LOG_LEVEL": "warning",
    }
    port = _free_port()
    server = subprocess.Popen(
        [str(TAKEDOWN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit("takedown serve exited")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("takedown serve did not answer /healthz in 60 s")
            time.sleep(0.1)
        _drive(label, base, op, tokens, n_items, clients, wave, suffix)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _drive(
    label: str,
    base: str,
    op: str,
    tokens: dict[str, str],
    n_items: int,
    clients: int,
    wave: int,
    suffix: str,
) -> None:
    analyst = Clients(base, tokens["analyst"])
    agents = {p: Clients(base, tokens[p]) for p in ("telegram", "youtube")}
    phases = {name: Phase(name) for name in ("report", "assess", "refer", "pull", "answer")}
    pool = ThreadPoolExecutor(clients)
    started = time.perf_counter()
    try:
        batches = [
            [{"url": _url(i, suffix)} for i in range(start, min(start + 500, n_items))]
            for start in range(0, n_items, 500)
        ]
        ids: list[int] = []
        lock = threading.Lock()

        def report(batch: list[dict[str, str]]) -> int:
            out = analyst.call(
                phases["report"], "POST", f"/operations/{op}/reports", json={"reports": batch}
            )
            if out is None:
                return 0
            with lock:
                ids.extend(i["item_id"] for i in out["items"] if i["new"])
            return int(out["accepted"])

        _timed(phases["report"], pool, report, batches)
        ids.sort()
        print(f"{label}: {len(ids)} items reported", flush=True)
        print(phases["report"].line(), flush=True)

        def assess(item_id: int) -> int:
            out = analyst.call(
                phases["assess"],
                "POST",
                f"/items/{item_id}/assessments",
                json={"verdict": "terrorist_content", "legal_ground": "a"},
            )
            return 0 if out is None else 1

        def refer(platform: str) -> int:
            out = analyst.call(
                phases["refer"], "POST", f"/operations/{op}/referrals", json={"platform": platform}
            )
            return 0 if out is None else int(out["items"])

        for start in range(0, len(ids), wave):
            _timed(phases["assess"], pool, assess, ids[start : start + wave])
            _timed(phases["refer"], pool, refer, ["telegram", "youtube"])
        print(phases["assess"].line(), phases["refer"].line(), sep="\n", flush=True)

        referrals: list[tuple[str, dict[str, Any]]] = []

        def pull(platform: str) -> int:
            since: int | None = 0
            got = 0
            while since is not None:
                page = agents[platform].call(
                    phases["pull"],
                    "GET",
                    "/platform/referrals",
                    params={"since": since, "limit": 10},
                )
                if page is None:
                    break
                with lock:
                    referrals.extend((platform, r) for r in page["referrals"])
                got += sum(len(r["items"]) for r in page["referrals"])
                since = page["next"]
            return got

        _timed(phases["pull"], pool, pull, ["telegram", "youtube"])
        print(phases["pull"].line(), flush=True)
        chunks = []
        for platform, referral in referrals:
            item_ids = [i["item_id"] for i in referral["items"]]
            for start in range(0, len(item_ids), 50):
                chunks.append((platform, referral["id"], item_ids[start : start + 50]))

        def answer(chunk: tuple[str, int, list[int]]) -> int:
            platform, referral_id, item_ids = chunk
            body = {"answers": [{"item_id": i, "action": "removed"} for i in item_ids]}
            out = agents[platform].call(
                phases["answer"], "POST", f"/platform/referrals/{referral_id}/answers", json=body
            )
            return 0 if out is None else len(item_ids)

        _timed(phases["answer"], pool, answer, chunks)
    finally:
        pool.shutdown()
        analyst.close()
        for agent in agents.values():
            agent.close()
    total = time.perf_counter() - started
    print(f"{label}: {n_items} items, {clients} clients, waves of {wave}, {total:.1f} s in all:")
    for phase in phases.values():
        print(phase.line())
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=26_000, help="Items to push (default 26,000).")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (default 20).")
    parser.add_argument("--wave", type=int, default=1000, help="Assessments between referrals.")
    parser.add_argument("--postgres", metavar="URL", help="Also run on this PostgreSQL database.")
    parser.add_argument("--skip-sqlite", action="store_true", help="Run PostgreSQL only.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takedown-bench-") as tmp:
        if not args.skip_sqlite:
            data = Path(tmp) / "sqlite"
            url = f"sqlite:///{data / 'takedown.db'}"
            run("SQLite", url, data, args.items, args.clients, args.wave)
        if args.postgres:
            run("PostgreSQL", args.postgres, Path(tmp) / "pg", args.items, args.clients, args.wave)


if __name__ == "__main__":
    main()
