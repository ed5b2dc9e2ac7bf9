"""``takedown serve``: the web application on uvicorn."""

from __future__ import annotations

import typer

from takedown.cli._context import open_db
from takedown.config import get_settings


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default TAKEDOWN_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (default TAKEDOWN_PORT)."),
) -> None:
    """Run the API (/api/v1, OpenAPI at /api/v1/openapi.json) and /healthz."""
    import uvicorn

    from takedown.web.app import create_app

    settings = get_settings()
    open_db().dispose()  # refuse to start on a database `takedown init` has not built
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        access_log=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
