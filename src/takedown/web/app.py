"""The FastAPI application: ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``, interactive docs
at ``/api/v1/docs`` and ``/api/v1/redoc``) and ``/healthz``. Every error it answers is the one
envelope, ``{"error": …, "problems": [...]?}`` (``takedown.web.errors``), declared on every
operation of the document (``takedown.web.openapi``)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from takedown import __version__
from takedown.config import Settings, get_settings
from takedown.store.db import Database, ping
from takedown.web.auth import authenticate
from takedown.web.docs import install_docs
from takedown.web.errors import error, install_error_handlers
from takedown.web.guard import BodyLimits, Refusal, RequestGuard, RouteCap
from takedown.web.openapi import install_openapi

EVIDENCE_FRAMING = 64 * 1024  # a multipart upload's boundaries and part headers


class Health(BaseModel):
    status: str
    database: str
    version: str


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
        docs_url=None,  # install_docs serves them, offline, with a nonce for their scripts
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database

    for router in discover_routers():
        app.include_router(router, prefix="/api/v1")

    app.add_middleware(
        RequestGuard,
        limits=body_limits(settings),
        trusted_proxies=settings.trusted_proxies,
        admit_large=_admit_large(database, settings),
    )

    install_docs(app, "takedown API")
    install_error_handlers(app)
    install_openapi(app)

    @app.get("/healthz", tags=["health"], response_model=Health)
    def healthz() -> Health | JSONResponse:
        try:
            ping(database)
        except Exception as exc:
            return error(503, f"the database does not answer ({type(exc).__name__})")
        return Health(status="ok", database="ok", version=__version__)

    return app


def body_limits(settings: Settings) -> BodyLimits:
    """The body caps: a report batch, an evidence upload, and 1 MiB for anything else."""
    return BodyLimits(
        default=settings.max_body_bytes,
        routes=(
            RouteCap(
                "POST",
                re.compile(r"/api/v1/operations/[^/]+/reports/?"),
                max(settings.report_batch_max_bytes, settings.max_body_bytes),
                "a report batch",
                "TAKEDOWN_MAX_REPORT_BATCH_BYTES",
            ),
            RouteCap(
                "POST",
                re.compile(r"/api/v1/items/[^/]+/evidence/?"),
                max(settings.evidence_max_bytes + EVIDENCE_FRAMING, settings.max_body_bytes),
                "an evidence upload",
                "TAKEDOWN_EVIDENCE_MAX_BYTES",
            ),
        ),
    )


def _admit_large(
    database: Database, settings: Settings
) -> Callable[[Scope], Awaitable[Refusal | None]]:
    """A body over the default cap is read only for a caller with a valid token."""

    async def admit(scope: Scope) -> Refusal | None:
        request = Request(scope)
        scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
        creds = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if scheme else None
        client = request.client.host if request.client else None
        try:
            await run_in_threadpool(authenticate, database, settings, client, creds)
        except HTTPException as exc:
            message = (
                f"a body over {settings.max_body_bytes} bytes needs a valid token: {exc.detail}"
            )
            return exc.status_code, message, list((exc.headers or {}).items())
        return None

    return admit
