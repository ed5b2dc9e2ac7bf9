"""The FastAPI application: ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``) and ``/healthz``."""

from __future__ import annotations

import importlib
import pkgutil
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from takedown import __version__
from takedown.config import Settings, get_settings
from takedown.errors import Conflict, Forbidden, NotFound, UserError, unique_violation
from takedown.store.db import Database, ping
from takedown.web.auth import authenticate
from takedown.web.guard import BodyLimits, Refusal, RequestGuard, RouteCap

# What the API docs page loads (FastAPI's Swagger UI, from a CDN until it is vendored): its
# scripts by this response's nonce, styles and images from the CDN, the OpenAPI document from here.
DOCS_ASSETS = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}' " + DOCS_ASSETS + "; "
    "style-src 'self' 'unsafe-inline' " + DOCS_ASSETS + "; "
    "img-src 'self' data: https://fastapi.tiangolo.com " + DOCS_ASSETS + "; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
EVIDENCE_FRAMING = 64 * 1024  # a multipart upload's boundaries and part headers


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


# PostgreSQL's "try again" states: serialization failure, deadlock detected, lock not available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def _retryable(exc: OperationalError) -> bool:
    if "locked" in str(exc).lower():  # SQLite: database is locked
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


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
        docs_url=None,  # served below, with a nonce for its scripts
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

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        page = get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="takedown API")
        html = re.sub(r"<script(?=[\s>])", f'<script nonce="{nonce}"', bytes(page.body).decode())
        csp = DOCS_CSP.format(nonce=nonce)
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

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

    @app.exception_handler(Conflict)
    @app.exception_handler(IntegrityError)
    async def _conflict(_r: Request, exc: Exception) -> JSONResponse:
        # A clash with what is already there: a service's Conflict, or a unique rule of the
        # database that a concurrent request got to first. Nothing was written.
        if isinstance(exc, IntegrityError):
            broken = unique_violation(exc)
            if broken is None:
                raise exc
            exc = Conflict(f"that already exists ({broken}); nothing was written")
        return JSONResponse({"error": str(exc)}, status_code=409)

    @app.exception_handler(UserError)
    async def _user_error(_r: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(Forbidden)
    async def _forbidden(_r: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=403)

    @app.exception_handler(OperationalError)
    @app.exception_handler(SATimeoutError)
    async def _busy(_r: Request, exc: Exception) -> JSONResponse:
        # The database is locked by other writers, every connection is taken, or PostgreSQL
        # broke a deadlock or a serialization conflict by rolling this transaction back:
        # nothing was written by this request, so it is safe to retry.
        if isinstance(exc, OperationalError) and not _retryable(exc):
            raise exc
        return JSONResponse(
            {"error": "the database is busy; nothing was written, retry shortly"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(UnicodeEncodeError)
    async def _not_text(_r: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # The last net: a string no encoder takes (a lone surrogate) that the guard missed.
        return JSONResponse({"error": f"invalid text: {exc.reason}"}, status_code=400)

    @app.exception_handler(StatementError)
    async def _not_text_for_the_database(_r: Request, exc: StatementError) -> JSONResponse:
        cause = _unicode_cause(exc)
        if cause is None:
            raise exc
        return JSONResponse({"error": f"invalid text: {cause.reason}"}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "error": e.get("msg", "")}
            for e in exc.errors()[:50]
        ]
        return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)

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


def _unicode_cause(exc: BaseException) -> UnicodeEncodeError | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, UnicodeEncodeError):
            return seen
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None
