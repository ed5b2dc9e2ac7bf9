"""Header limits: what capping header bytes and header-read time costs in requests per second.

uvicorn's h11 protocol caps an incomplete request at ``h11_max_incomplete_event_size``;
httptools has no cap, so takedown serves it through ``HeaderGuardedProtocol``, which counts
header bytes as they arrive and arms a header-read timer. This bench serves ``GET /healthz``
(one ``SELECT 1`` on SQLite) from a uvicorn subprocess in each configuration and drives it
from this process with keep-alive connections on 127.0.0.1:

  h11             http="h11", h11_max_incomplete_event_size = the header cap
  httptools       plain httptools: no header cap, no timer (the reference)
  guarded         HeaderGuardedProtocol with the header cap and timer (what `takedown serve` runs)
  guarded-bare    the same without the app's ASGI guard (body caps, hygiene headers), for its cost

Rounds alternate the configurations (a shared machine drifts minute to minute); the median
of the rounds is printed: requests per second, and the server's CPU time per request (all
its threads, from /proc), which a busy machine disturbs far less than the rate. Access logs
are off in every configuration. Last, the ASGI guard's own cost per request, in-process.

  .venv/bin/python bench/http_limits.py                  # 3 rounds of 5 s each
  .venv/bin/python bench/http_limits.py --path /api/v1/openapi.json   # no database, no thread
  .venv/bin/python bench/http_limits.py --rounds 5 --seconds 10 --connections 64
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VARIANTS = ("h11", "httptools", "guarded", "guarded-bare")
MAX_HEADER_BYTES = 32 * 1024
HEADER_TIMEOUT = 10.0


def request_bytes(path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench/http_limits\r\n"
        f"Accept: application/json\r\nAuthorization: Bearer tdk_{'x' * 43}\r\n\r\n"
    ).encode("ascii")


def serve(variant: str, port: int, data: Path) -> None:
    """Run in the subprocess: the app on uvicorn in one configuration."""
    import uvicorn

    from takedown.config import Settings
    from takedown.web.app import create_app
    from takedown.web.guard import RequestGuard, guarded_protocol

    settings = Settings(data_dir=data, log_level="warning")
    app = create_app(settings)
    if variant == "guarded-bare":
        app.user_middleware = [m for m in app.user_middleware if m.cls is not RequestGuard]
    options: dict[str, Any] = {
        "server_header": False,
        "proxy_headers": False,
        "log_level": "warning",
        "access_log": False,
    }
    if variant == "h11":
        options |= {"http": "h11", "h11_max_incomplete_event_size": MAX_HEADER_BYTES}
    elif variant == "httptools":
        options |= {"http": "httptools"}
    else:
        options |= {"http": guarded_protocol(MAX_HEADER_BYTES, HEADER_TIMEOUT)}
    uvicorn.run(app, host="127.0.0.1", port=port, **options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _one_connection(port: int, request: bytes, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer: {head[:40]!r} {body[:80]!r}")
            counts[0] += 1
    finally:
        writer.close()


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far, all its threads (Linux: /proc schedstat, ns)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):  # a thread that just ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


async def drive(
    port: int, path: str, seconds: float, connections: int, pid: int
) -> tuple[float, float]:
    """Requests per second over ``seconds``, after a one-second warm-up, and the server's
    CPU microseconds per request (steadier than the rate on a busy machine)."""
    request = request_bytes(path)
    warm: list[int] = [0]
    until = time.perf_counter() + 1.0
    await asyncio.gather(*(_one_connection(port, request, until, warm) for _ in range(connections)))
    counts: list[int] = [0]
    cpu = cpu_seconds(pid)
    start = time.perf_counter()
    await asyncio.gather(
        *(_one_connection(port, request, start + seconds, counts) for _ in range(connections))
    )
    elapsed = time.perf_counter() - start
    return counts[0] / elapsed, (cpu_seconds(pid) - cpu) / counts[0] * 1e6


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not listen in time")


async def _guard_overhead(n: int = 20_000) -> tuple[float, float]:
    """Microseconds per request of a bare ASGI app, and of the same behind RequestGuard."""
    from takedown.config import Settings
    from takedown.web.app import body_limits
    from takedown.web.guard import RequestGuard

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Any) -> None:
        pass

    _, _, rest = request_bytes("/healthz").partition(b"\r\n")
    headers = [tuple(h.lower().split(b": ", 1)) for h in rest.strip().split(b"\r\n")]
    scope = {"type": "http", "method": "GET", "path": "/healthz", "raw_path": b"/healthz"}
    scope |= {"query_string": b"", "headers": headers, "client": ("127.0.0.1", 1)}
    guarded = RequestGuard(bare, limits=body_limits(Settings()))
    best = [float("inf"), float("inf")]
    for _ in range(5):
        for i, app in enumerate((bare, guarded)):
            start = time.perf_counter()
            for _ in range(n):
                await app(dict(scope), receive, send)
            best[i] = min(best[i], (time.perf_counter() - start) / n * 1e6)
    return best[0], best[1]


class _Transport(asyncio.Transport):
    """Enough of a transport for a uvicorn protocol: it keeps what the server writes."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += 1

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _protocol_cost(variant: str, n: int = 5_000) -> float:
    """Microseconds per request for a protocol alone: keep-alive requests parsed and answered
    by a trivial ASGI app, in-process, without sockets."""
    import uvicorn
    from uvicorn.server import ServerState

    from takedown.web.guard import guarded_protocol

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    options: dict[str, Any] = {"http": "httptools"}
    if variant == "h11":
        options = {"http": "h11", "h11_max_incomplete_event_size": MAX_HEADER_BYTES}
    elif variant.startswith("guarded"):
        options = {"http": guarded_protocol(MAX_HEADER_BYTES, HEADER_TIMEOUT)}
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **options)
    config.load()
    protocol = config.http_protocol_class(  # type: ignore[call-arg]
        config=config, server_state=ServerState(), app_state={}
    )
    transport = _Transport()
    protocol.connection_made(transport)
    request = request_bytes("/healthz")
    start = time.perf_counter()
    for _ in range(n):
        protocol.data_received(request)
        while protocol.cycle is not None and not protocol.cycle.response_complete:
            await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    protocol.connection_lost(None)
    return elapsed / n * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--path", default="/healthz", help="what to GET (default /healthz)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--serve", nargs=3, metavar=("VARIANT", "PORT", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), Path(args.serve[2]))
        return 0

    from takedown.store.db import Database

    variants = [v for v in args.variants.split(",") if v]
    results: dict[str, list[float]] = {v: [] for v in variants}
    costs: dict[str, list[float]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        db = Database(f"sqlite:///{data / 'takedown.db'}")
        db.migrate()
        db.dispose()
        for r in range(args.rounds):
            for variant in variants:
                port = free_port()
                cmd = [sys.executable, __file__, "--serve", variant, str(port), str(data)]
                proc = subprocess.Popen(cmd)
                try:
                    wait_listening(port, proc)
                    rps, cost = asyncio.run(
                        drive(port, args.path, args.seconds, args.connections, proc.pid)
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                results[variant].append(rps)
                costs[variant].append(cost)
                print(
                    f"round {r + 1} {variant:<13} {rps:8.0f} requests/s {cost:7.0f} µs CPU/request",
                    flush=True,
                )
    print(
        f"\nGET {args.path}, {args.connections} keep-alive connections, {args.seconds:g} s per "
        f"round, median (lowest–highest) of {args.rounds} rounds:"
    )
    reference = statistics.median(costs["httptools"]) if "httptools" in costs else None
    summary = {}
    for variant in variants:
        rate = statistics.median(results[variant])
        spread = f"({min(results[variant]):.0f}–{max(results[variant]):.0f})"
        cost = statistics.median(costs[variant])
        versus = f"  CPU {cost / reference - 1:+.1%} vs httptools" if reference else ""
        print(
            f"  {variant:<13} {rate:6.0f} requests/s {spread:>12}  {cost:5.0f} µs CPU/request"
            f"{versus}"
        )
        summary[variant] = {"requests_per_second": round(rate), "cpu_us": round(cost)}
    print("\nEach protocol alone, in-process (a trivial app, no sockets), best of 5:")
    for variant in ("h11", "httptools", "guarded"):
        cost = min(asyncio.run(_protocol_cost(variant)) for _ in range(5))
        print(f"  {variant:<13} {cost:5.1f} µs per request")
        summary.setdefault(variant, {})["protocol_us"] = round(cost, 1)
    bare, guarded = asyncio.run(_guard_overhead())
    print(f"  the ASGI guard alone: {guarded - bare:.1f} µs per request (best of 5, in-process)")
    print(json.dumps({"variants": summary, "guard_us": round(guarded - bare, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
