"""``takedown serve``: the web application on uvicorn (and, for the demo, the simulator)."""

from __future__ import annotations

import asyncio
import threading

import typer

from takedown.cli._context import open_db
from takedown.config import get_settings


def _simulator_thread(port: int) -> None:
    """Serve the demo's simulated platforms on 127.0.0.1:port in a background thread."""
    from takedown.services.demo import demo_world
    from takedown.sim import SimServer

    async def run() -> None:
        async with SimServer(demo_world(), port=port):
            await asyncio.Event().wait()

    threading.Thread(target=asyncio.run, args=(run(),), name="simulator", daemon=True).start()


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default TAKEDOWN_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (default TAKEDOWN_PORT)."),
    simulate: int | None = typer.Option(
        None,
        "--simulate",
        help="Also serve the demo's simulated platforms on this port of 127.0.0.1.",
    ),
) -> None:
    """Run the API (/api/v1, OpenAPI at /api/v1/openapi.json) and /healthz."""
    import uvicorn

    from takedown.web.app import create_app

    settings = get_settings()
    open_db().dispose()  # refuse to start on a database `takedown init` has not built
    app = create_app(settings)
    if simulate is not None:
        _simulator_thread(simulate)
        typer.echo(
            f"simulated platforms on 127.0.0.1:{simulate}; check them with "
            f"`takedown verify OP --connect-to ::127.0.0.1:{simulate} --allow-network 127.0.0.1/32`",
            err=True,
        )
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        access_log=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
