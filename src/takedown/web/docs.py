"""The interactive API docs, offline: Swagger UI at ``/api/v1/docs`` and ReDoc at
``/api/v1/redoc``, both from files that the ``fastapi-offline`` package installs (Swagger UI
5 and ReDoc 2; their licences travel with that package), served from ``/api/v1/docs/assets``.
Nothing is loaded from another origin: the pages' policy allows scripts only from here and by
this response's nonce, and no inline script without it.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from takedown.web.errors import error

OPENAPI = "/api/v1/openapi.json"
ASSETS = "/api/v1/docs/assets"
# Swagger UI and ReDoc set style attributes and inject <style> elements, which a nonce
# cannot cover; their scripts run only by nonce. ReDoc runs its search in a Worker from a
# blob: URL.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
REDOC_CSP = DOCS_CSP + "; worker-src blob:"
MISSING = "the API docs need the fastapi-offline package (pip install fastapi-offline)"


@cache
def asset_folder() -> Path | None:
    """Where the installed package keeps Swagger UI's and ReDoc's files, or None."""
    try:
        folder = Path(str(files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        return None
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI, title: str) -> None:
    folder = asset_folder()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="docs-assets")

    @app.get("/api/v1/docs", include_in_schema=False)
    def swagger_ui() -> Response:
        if folder is None:
            return error(503, MISSING)
        page = get_swagger_ui_html(
            openapi_url=OPENAPI,
            title=title,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
        )
        return _with_nonce(page, DOCS_CSP)

    @app.get("/api/v1/redoc", include_in_schema=False)
    def redoc() -> Response:
        if folder is None:
            return error(503, MISSING)
        page = get_redoc_html(
            openapi_url=OPENAPI,
            title=title,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        return _with_nonce(page, REDOC_CSP)


def _with_nonce(page: HTMLResponse, policy: str) -> HTMLResponse:
    """The page with this response's nonce on every script, under ``policy``."""
    nonce = secrets.token_urlsafe(16)
    html = re.sub(r"<script(?=[\s>])", f'<script nonce="{nonce}"', bytes(page.body).decode())
    csp = policy.format(nonce=nonce)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})
