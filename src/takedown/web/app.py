"""The FastAPI application: ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``) and ``/healthz``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError

from takedown import __version__
from takedown.config import Settings, get_settings
from takedown.errors import Forbidden, NotFound, UserError
from takedown.store.db import Database, ping


def discover_routers() -> list[APIRouter]:
    """Every module of takedown.web with a ``router`` serves under /api/v1."""
    import takedown.web as package

    routers = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"takedown.web.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = db or Database(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:
            database.dispose()

    app = FastAPI(
        title="takedown",
        version=__version__,
        description="Internet referral work: reports in, verified removals out.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database

    for router in discover_routers():
        app.include_router(router, prefix="/api/v1")

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        try:
            ping(database)
        except Exception as exc:
            return JSONResponse(
                {"status": "error", "database": f"{type(exc).__name__}"}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @app.exception_handler(NotFound)
    async def _not_found(_r: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=404)

    @app.exception_handler(UserError)
    async def _user_error(_r: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(Forbidden)
    async def _forbidden(_r: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=403)

    @app.exception_handler(OperationalError)
    @app.exception_handler(SATimeoutError)
    async def _busy(_r: Request, exc: Exception) -> JSONResponse:
        # The database is locked by other writers or every connection is taken: nothing was
        # written by this request (its transaction rolled back), so it is safe to retry.
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise exc
        return JSONResponse(
            {"error": "the database is busy; nothing was written, retry shortly"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "error": e.get("msg", "")}
            for e in exc.errors()[:50]
        ]
        return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)

    return app
