"""``takedown check`` (proof of removal) and ``takedown simulate`` (the platform simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from dataclasses import replace
from typing import TypeVar

import typer

from takedown.checker import Checker, CheckerSettings, CheckResult
from takedown.checker import run as run_loop
from takedown.cli._options import json_option
from takedown.cli._output import emit_json
from takedown.config import get_settings
from takedown.domain.names import choose
from takedown.errors import UserError

T = TypeVar("T")
PROXY_SCHEMES = ("http://", "https://", "socks5://")

# The checker's options that replace a TAKEDOWN_CHECKER_* setting (`check` and `verify`).
ALLOW_NETWORK = typer.Option(
    [],
    "--allow-network",
    help="CIDR the checker may reach although it is not public (repeatable; replaces "
    "TAKEDOWN_CHECKER_ALLOW_NETWORKS).",
)
CONNECT_TO = typer.Option(
    [],
    "--connect-to",
    help="HOST:PORT:ADDR:PORT2, like curl; the guard still vets ADDR (repeatable; replaces "
    "TAKEDOWN_CHECKER_CONNECT_TO).",
)
PROXY = typer.Option(None, "--proxy", help="Egress proxy URL (default: TAKEDOWN_CHECKER_PROXY).")
PER_HOST = typer.Option(4, "--per-host", help="Concurrent requests per host.")
RATE = typer.Option(5.0, "--rate", help="Requests per second per host (0: no limit).")


def checker_settings(
    allow_network: list[str],
    connect_to: list[str],
    proxy: str | None,
    user_agent: str | None,
    timeout: float,
    per_host: int,
    rate: float,
) -> CheckerSettings:
    """The checker's settings as the job queue has them (``TAKEDOWN_CHECKER_*``, the egress
    proxy included), each replaced by its option where the command line gives one."""
    from takedown.checker.guard import Guard
    from takedown.checker.transport import ConnectTo

    base = get_settings().checker_settings()
    networks, networks_from = _chosen(
        tuple(allow_network), "--allow-network", base.allow_networks, "ALLOW_NETWORKS"
    )
    rules, rules_from = _chosen(tuple(connect_to), "--connect-to", base.connect_to, "CONNECT_TO")
    proxy, proxy_from = _chosen(proxy, "--proxy", base.proxy, "PROXY")
    try:
        Guard.from_cidrs(list(networks))
    except ValueError as exc:
        raise UserError(f"{networks_from}: {exc}") from None
    for value in rules:
        try:
            ConnectTo.parse(value)
        except ValueError as exc:
            raise UserError(f"{rules_from}: {exc}") from None
    if proxy is not None and not proxy.startswith(PROXY_SCHEMES):
        # Only the scheme: the rest of a proxy URL may hold a password.
        scheme = proxy.partition("://")[0] + "://" if "://" in proxy else "no scheme"
        raise UserError(
            f"{proxy_from}: the proxy URL has {scheme}; it must start with http://, https:// "
            "or socks5://"
        )
    if timeout <= 0 or per_host < 1 or rate < 0:
        raise UserError("--timeout must be > 0, --per-host >= 1 and --rate >= 0")
    return replace(
        base,
        allow_networks=networks,
        connect_to=rules,
        proxy=proxy,
        user_agent=user_agent or base.user_agent,
        check_timeout=timeout,
        per_host_concurrency=per_host,
        per_host_rate=rate,
    )


def _chosen(given: T, option: str, configured: T, setting: str) -> tuple[T, str]:
    """The option's value when given, else the setting's; with where it came from."""
    if given:
        return given, option
    return configured, f"TAKEDOWN_CHECKER_{setting}"


def check_cmd(
    urls: list[str] = typer.Argument(None, help="URLs to check; read from stdin if none."),
    allow_network: list[str] = ALLOW_NETWORK,
    connect_to: list[str] = CONNECT_TO,
    proxy: str | None = PROXY,
    user_agent: str | None = typer.Option(
        None, "--user-agent", help="User-Agent header (default: TAKEDOWN_CHECKER_USER_AGENT)."
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds one check may take."),
    per_host: int = PER_HOST,
    rate: float = RATE,
    json_out: bool = json_option("One JSON object per URL."),
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
