"""``takedown serve``: the web application on uvicorn (and, for the demo, the simulator)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from pathlib import Path
from typing import Any

import typer

from takedown.cli._context import database, use_media_switches
from takedown.config import Settings, get_settings
from takedown.errors import UserError

ANSWER_MEDIAN_DELAY = 30.0  # seconds: the demo's platforms answer within a minute or two


def _demo_agent_tokens(data_dir: Path) -> dict[str, str]:
    """Platform agent tokens that `takedown demo` wrote, by platform unit name."""
    path = data_dir / "demo-tokens.json"
    try:
        tokens = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(
            f"--simulate-answers: no demo tokens at {path}; run `takedown demo`"
        ) from None
    suffix = " / platform_agent"
    found = {k.removesuffix(suffix): str(v) for k, v in tokens.items() if k.endswith(suffix)}
    if not found:
        raise UserError(f"--simulate-answers: {path} holds no platform_agent token")
    return found


async def _answer(
    world: Any, api: str, tokens: dict[str, str], silence: float = 0.0, delay: float = 30.0
) -> None:
    """One simulated platform agent per demo platform token, on the simulator's own world.

    By default they answer every item (``silence``: the share they never answer), after a
    median ``delay`` seconds."""
    import httpx

    from takedown.services.demo import DEMO_SEED
    from takedown.sim.agent import LocalWorld, PlatformAgent, Policy

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("simulated platform: %(message)s"))
    agent_log = logging.getLogger("takedown.sim.agent")
    agent_log.addHandler(handler)
    agent_log.setLevel(logging.INFO)
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        for _ in range(300):  # wait for uvicorn to listen, rather than log refusals
            try:
                if (await client.get(f"{api}/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    policy = Policy(seed=DEMO_SEED, median_delay=delay, ignore_share=silence)

    async def one(name: str, token: str) -> None:
        agent = PlatformAgent(api, token, LocalWorld(world), policy, poll_interval=5.0, name=name)
        try:
            await agent.run()
        except UserError as exc:
            agent_log.error("%s: %s", name, exc)

    await asyncio.gather(*(one(name, token) for name, token in tokens.items()))


def _simulator_thread(
    port: int,
    data_dir: Path,
    api: str | None = None,
    tokens: dict[str, str] | None = None,
    silence: float = 0.0,
    delay: float = ANSWER_MEDIAN_DELAY,
) -> None:
    """Serve the demo's simulated platforms on 127.0.0.1:port in a background thread.

    Their world is kept in the data directory, so what they removed stays removed after a
    restart. With ``tokens``, the same thread also runs a simulated platform agent per token,
    which answers the referrals and orders of ``api`` and removes what it says it removed.
    """
    from takedown.services.demo import demo_world
    from takedown.sim import SimServer

    async def run() -> None:
        world = demo_world(data_dir)
        async with SimServer(world, port=port):
            if api is not None and tokens:
                await _answer(world, api, tokens, silence, delay)
            await asyncio.Event().wait()

    threading.Thread(target=asyncio.run, args=(run(),), name="simulator", daemon=True).start()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's arguments beside the app and the address.

    HTTP through httptools with a cap on header bytes and header-read time
    (``TAKEDOWN_MAX_HEADER_BYTES``, ``TAKEDOWN_HEADER_TIMEOUT``): measured with
    bench/http_limits.py, it serves /healthz faster than h11 with its own limit (figures in
    docs/operations.md). No ``server`` banner. uvicorn's own X-Forwarded-For handling (on by
    default, trusting loopback) is off: the app's guard reads it, from the proxies in
    ``TAKEDOWN_TRUSTED_PROXIES`` only.
    """
    from takedown.web.guard import guarded_protocol

    return {
        "http": guarded_protocol(settings.max_header_bytes, settings.header_timeout),
        "server_header": False,
        "proxy_headers": False,
        "ws": "none",  # no WebSocket routes
        "log_level": settings.log_level,
        "access_log": True,
    }


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default TAKEDOWN_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (default TAKEDOWN_PORT)."),
    simulate: int | None = typer.Option(
        None,
        "--simulate",
        help="Also serve the demo's simulated platforms on this port of 127.0.0.1.",
    ),
    simulate_answers: bool = typer.Option(
        False,
        "--simulate-answers",
        help="With --simulate: the demo's platforms also answer referrals and orders "
        "(one simulated agent per platform token of `takedown demo`).",
    ),
    simulate_silence: float = typer.Option(
        0.0,
        "--simulate-silence",
        min=0.0,
        max=1.0,
        help="With --simulate-answers: the share of items the simulated platforms never "
        "answer (default 0: they answer every item).",
    ),
    simulate_delay: float = typer.Option(
        ANSWER_MEDIAN_DELAY,
        "--simulate-delay",
        min=0.0,
        help="With --simulate-answers: the median seconds before a simulated platform answers.",
    ),
) -> None:
    """Run the API (/api/v1, OpenAPI at /api/v1/openapi.json) and /healthz."""
    import uvicorn

    from takedown.web.app import create_app

    settings = get_settings()
    if simulate_answers and simulate is None:
        raise UserError("--simulate-answers needs --simulate PORT")
    tokens = _demo_agent_tokens(settings.data_dir) if simulate_answers else None
    with database():  # refuse to start on a database `takedown init` has not built
        pass
    use_media_switches(settings)
    app = create_app(settings)
    listen = host or settings.host
    local = "127.0.0.1" if listen in ("0.0.0.0", "::", "") else listen
    api = f"http://{f'[{local}]' if ':' in local else local}:{port or settings.port}"
    if simulate is not None:
        # The demo's URLs are invented: the checker's jobs ask the simulator, never the internet.
        settings = settings.model_copy(
            update={
                "checker_connect_to": [*settings.checker_connect_to, f"::127.0.0.1:{simulate}"],
                "checker_allow_networks": [*settings.checker_allow_networks, "127.0.0.1/32"],
            }
        )
        _simulator_thread(
            simulate, settings.data_dir, api, tokens, simulate_silence, simulate_delay
        )
        if tokens:
            typer.echo(f"simulated platforms answering: {', '.join(tokens)}", err=True)
        typer.echo(
            f"simulated platforms on 127.0.0.1:{simulate}; check them with "
            f"`takedown verify OP --connect-to ::127.0.0.1:{simulate} --allow-network 127.0.0.1/32`",
            err=True,
        )
    from takedown.jobs.runner import start_in_process

    # Job workers (TAKEDOWN_WORKERS threads; 0: only enqueue, for `takedown worker` elsewhere),
    # bound to the app's own Database so its commit hook enqueues what requests commit.
    stop_jobs = start_in_process(settings, app.state.db)
    try:
        uvicorn.run(app, host=listen, port=port or settings.port, **uvicorn_options(settings))
    finally:
        stop_jobs()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
