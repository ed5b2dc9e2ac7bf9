"""``takedown simulate-platform``: a simulated platform agent answering over the platform API.

It learns of referrals and orders by polling the pull API, or with ``--webhook`` from
takedown's signed webhook deliveries, received on HOST:PORT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import typer

from takedown.cli._options import secret_option
from takedown.cli._output import emit_json
from takedown.errors import UserError


def _listen_address(value: str) -> tuple[str, int]:
    """``PORT``, ``HOST:PORT`` or ``[IPv6]:PORT`` → (host, port); 127.0.0.1 when no host."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]") if sep else "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise UserError(f"--webhook: {value!r} is not HOST:PORT (or PORT, on 127.0.0.1)")
    return host, int(port)


async def _preflight(client: httpx.AsyncClient, api: str, token: str, sim: str) -> None:
    """Refuse at once, with a clear message, what would only fail later."""
    url = f"{api.rstrip('/').removesuffix('/api/v1')}/api/v1/platform/referrals"
    try:
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise UserError(f"--api: cannot reach {api}: {type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise UserError(f"--token: the API refused it ({response.status_code})")
    if response.status_code != 200:
        raise UserError(f"--api: {url} answered {response.status_code}; is it takedown?")
    try:
        (await client.get(f"{sim}/_sim/stats")).raise_for_status()
    except httpx.HTTPError as exc:
        raise UserError(f"--sim-port: no simulator at {sim}: {type(exc).__name__}") from None


def simulate_platform(
    token: str = secret_option(
        "platform_token",
        "--token",
        "Bearer token of a platform_agent (or set TAKEDOWN_PLATFORM_TOKEN).",
    ),
    sim_port: int = typer.Option(
        ..., "--sim-port", help="Port of the running simulator on 127.0.0.1 (`takedown simulate`)."
    ),
    api: str = typer.Option("http://127.0.0.1:8000", "--api", help="Base URL of takedown."),
    median_delay: float = typer.Option(
        60.0, "--median-delay", help="Median seconds before a referral is answered."
    ),
    order_speedup: float = typer.Option(
        10.0, "--order-speedup", help="Orders are answered this many times faster."
    ),
    distribution: str = typer.Option(
        "lognormal", "--distribution", help="Delay distribution: lognormal or exponential."
    ),
    decline_share: float = typer.Option(0.15, "--decline-share", help="Share declined."),
    restrict_share: float = typer.Option(
        0.05, "--restrict-share", help="Share restricted (geo-blocked)."
    ),
    ignore_share: float = typer.Option(0.10, "--ignore-share", help="Share never answered."),
    seed: int = typer.Option(0, "--seed", help="The same seed gives the same decisions."),
    duration: float = typer.Option(
        0.0, "--duration", help="Stop after this many seconds (0: when interrupted)."
    ),
    poll_interval: float = typer.Option(2.0, "--poll-interval", help="Seconds between polls."),
    until_idle: bool = typer.Option(
        False,
        "--until-idle",
        help="Stop once everything seen is answered (or ignored); with --webhook, once "
        "something arrived and nothing new came for --poll-interval seconds.",
    ),
    webhook: str | None = typer.Option(
        None,
        "--webhook",
        help="Receive signed webhooks on HOST:PORT (PORT alone: 127.0.0.1) instead of "
        "polling; point the platform unit's webhook URL there (`takedown unit delivery`).",
    ),
    webhook_secret: str | None = secret_option(
        "webhook_secret",
        "--webhook-secret",
        "With --webhook: the unit's webhook signing secret (or set "
        "TAKEDOWN_WEBHOOK_SECRET); a delivery it does not sign is refused with 401.",
        required=False,
    ),
) -> None:
    """Play a platform: acknowledge referrals and orders, remove, decline, or stay silent.

    It polls the pull API, or with --webhook receives takedown's signed webhooks. A removal is
    made in the simulator first (its page then shows removed), then answered through the
    platform API. Prints one JSON object with what was done when it stops.
    """
    from takedown.sim.agent import PlatformAgent, Policy, RemoteWorld, WebhookReceiver

    if not api.startswith(("http://", "https://")):
        raise UserError(f"--api: {api!r} must start with http:// or https://")
    if not 0 < sim_port < 65536:
        raise UserError(f"--sim-port: {sim_port} is not a port")
    if duration < 0 or poll_interval <= 0:
        raise UserError("--duration must be >= 0 and --poll-interval > 0")
    receiver = None
    if webhook is not None:
        host, port = _listen_address(webhook)
        if not webhook_secret:
            raise UserError(
                "--webhook needs --webhook-secret (or TAKEDOWN_WEBHOOK_SECRET): the secret "
                "`takedown unit delivery` printed for the platform unit"
            )
        receiver = WebhookReceiver(webhook_secret, host, port)
    elif webhook_secret:
        raise UserError("--webhook-secret is only used with --webhook HOST:PORT")
    try:
        policy = Policy(
            seed=seed,
            median_delay=median_delay,
            order_speedup=order_speedup,
            distribution=distribution,
            decline_share=decline_share,
            restrict_share=restrict_share,
            ignore_share=ignore_share,
        )
    except ValueError as exc:
        message = str(exc)
        for name in ("decline_share", "restrict_share", "ignore_share", "median_delay"):
            message = message.replace(name, "--" + name.replace("_", "-"))
        raise UserError(message.replace("order_speedup", "--order-speedup")) from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    sim = f"http://127.0.0.1:{sim_port}"

    async def run() -> PlatformAgent:
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            await _preflight(client, api, token, sim)
            agent = PlatformAgent(
                api,
                token,
                RemoteWorld(sim, client),
                policy,
                poll_interval=poll_interval,
                webhook=receiver,
            )
            if receiver is not None:
                try:
                    await agent.listen()
                except OSError as exc:
                    raise UserError(f"--webhook: cannot listen on {webhook}: {exc}") from None
            task = asyncio.ensure_future(agent.run(duration or None, until_idle=until_idle))
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:  # Ctrl-C: stop cleanly and still report
                agent.stop()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            return agent

    agent = asyncio.run(run())
    emit_json({"ok": True, **agent.stats.as_dict(), "pending": agent.pending})


def register(app: typer.Typer) -> None:
    app.command("simulate-platform")(simulate_platform)
