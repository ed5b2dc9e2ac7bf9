"""``takedown check`` (proof of removal) and ``takedown simulate`` (the platform simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

import typer

from takedown.checker import Checker, CheckerSettings, CheckResult
from takedown.checker import run as run_loop
from takedown.cli._output import emit_json
from takedown.domain.names import choose
from takedown.errors import UserError


def checker_settings(
    allow_network: list[str],
    connect_to: list[str],
    proxy: str | None,
    user_agent: str | None,
    timeout: float,
    per_host: int,
    rate: float,
) -> CheckerSettings:
    from takedown.checker.guard import Guard
    from takedown.checker.transport import ConnectTo

    try:
        Guard.from_cidrs(allow_network)
        for value in connect_to:
            ConnectTo.parse(value)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if proxy is not None and not proxy.startswith(("http://", "https://", "socks5://")):
        raise UserError(f"--proxy: {proxy!r} must start with http://, https:// or socks5://")
    if timeout <= 0 or per_host < 1 or rate < 0:
        raise UserError("--timeout must be > 0, --per-host >= 1 and --rate >= 0")
    base = CheckerSettings()
    return CheckerSettings(
        allow_networks=tuple(allow_network),
        connect_to=tuple(connect_to),
        proxy=proxy,
        user_agent=user_agent or base.user_agent,
        check_timeout=timeout,
        per_host_concurrency=per_host,
        per_host_rate=rate,
    )


def check_cmd(
    urls: list[str] = typer.Argument(None, help="URLs to check; read from stdin if none."),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="CIDR the checker may reach although it is not public."
    ),
    connect_to: list[str] = typer.Option(
        [], "--connect-to", help="HOST:PORT:ADDR:PORT2, like curl; the guard still vets ADDR."
    ),
    proxy: str | None = typer.Option(None, "--proxy", help="Egress proxy URL."),
    user_agent: str | None = typer.Option(None, "--user-agent", help="User-Agent header."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds one check may take."),
    per_host: int = typer.Option(4, "--per-host", help="Concurrent requests per host."),
    rate: float = typer.Option(5.0, "--rate", help="Requests per second per host (0: no limit)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per URL."),
) -> None:
    """Check whether each URL is online, removed, restricted, unreachable or unknown."""
    settings = checker_settings(
        allow_network, connect_to, proxy, user_agent, timeout, per_host, rate
    )
    inputs = urls or [line.strip() for line in sys.stdin if line.strip()]

    def show(result: CheckResult) -> None:
        if json_out:
            emit_json(result.as_dict())
        else:
            typer.echo(f"{result.verdict}\t{result.url}\t{result.reason}")

    async def run() -> None:
        async with Checker(settings) as checker:
            for result in await checker.check_many(inputs):
                show(result)

    run_loop(run())


def simulate_cmd(
    port: int = typer.Option(8081, "--port", help="Port on 127.0.0.1 (0: any free port)."),
    items: int = typer.Option(100, "--items", help="Items per platform."),
    seed: int = typer.Option(0, "--seed", help="Seed: the same seed gives the same world."),
    removed_share: float = typer.Option(0.6, "--removed-share", help="Share of removed items."),
    fault_share: float = typer.Option(0.0, "--fault-share", help="Share of items with a fault."),
    platforms: str = typer.Option(
        "telegram,youtube,x,facebook,instagram,tiktok,vk,rumble,archive_org",
        "--platforms",
        help="Comma-separated platforms to simulate.",
    ),
    duration: float = typer.Option(
        0.0, "--duration", help="Stop after this many seconds (0: never)."
    ),
    latency: float = typer.Option(0.0, "--latency", help="Seconds each answer takes."),
) -> None:
    """Serve simulated platforms on 127.0.0.1 until interrupted (or --duration)."""
    from takedown.sim import HOSTS, SimServer, World

    names = [choose("simulated platform", p, HOSTS) for p in platforms.split(",") if p.strip()]
    if not 0 <= removed_share <= 1 or not 0 <= fault_share <= 1:
        raise UserError("--removed-share and --fault-share must be between 0 and 1")
    world = World.generate(names, items, seed, removed_share, fault_share)

    async def run() -> None:
        async with SimServer(world, port=port, latency=latency) as sim:
            ready = {
                "ok": True,
                "address": f"127.0.0.1:{sim.port}",
                "connect_to": sim.connect_to(),
                "items": len(world.unique()),
                "hosts": {p: HOSTS[p] for p in names},
            }
            sys.stdout.write(json.dumps(ready) + "\n")
            sys.stdout.flush()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(duration if duration > 0 else float("inf"))

    try:
        run_loop(run())
    except OSError as exc:
        raise UserError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)
    app.command("simulate")(simulate_cmd)
