"""Every error the API answers, in one shape: ``{"error": "…", "problems": [...]?}``.

``install_error_handlers`` maps each exception to its status: the services' errors (400, 403,
404, 409), FastAPI's and Starlette's own (401 and 429 from authentication, 404 for an unknown
path, 405 for a method a path does not take, 413, 415 and 422 for a body), a busy database
(503) and, last, anything else (500, with a reference to the traceback in the server log and
nothing of it in the answer). The guard's refusals, before the app, use the same shape
(``takedown.web.guard.refuse``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException

from takedown.errors import Conflict, Forbidden, NotFound, UserError, envelope, unique_violation
from takedown.web.guard import HYGIENE

_log = logging.getLogger("takedown.web")
MAX_PROBLEMS = 50

# PostgreSQL's "try again" states: serialization failure, deadlock detected, lock not available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
BUSY = "the database is busy; nothing was written, retry shortly"


def error(
    status: int,
    message: str,
    problems: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(envelope(message, problems), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every exception with the envelope (see the module's docstring)."""
    app.add_exception_handler(NotFound, _status(404))
    app.add_exception_handler(Forbidden, _status(403))
    app.add_exception_handler(UserError, _status(400))
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(SATimeoutError, _busy)
    app.add_exception_handler(UnicodeEncodeError, _not_text)
    app.add_exception_handler(StatementError, _not_text_for_the_database)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    # Outside every middleware, the guard's hygiene included: Starlette's last net.
    app.add_exception_handler(Exception, _internal)


Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def _status(status: int) -> Handler:
    async def handler(_r: Request, exc: Exception) -> JSONResponse:
        return error(status, str(exc))

    return handler


async def _conflict(_r: Request, exc: Exception) -> JSONResponse:
    # A clash with what is already there: a service's Conflict, or a unique rule of the
    # database that a concurrent request got to first. Nothing was written.
    if isinstance(exc, IntegrityError):
        broken = unique_violation(exc)
        if broken is None:
            raise exc
        exc = Conflict(f"that already exists ({broken}); nothing was written")
    return error(409, str(exc))


def _retryable(exc: OperationalError) -> bool:
    if "locked" in str(exc).lower():  # SQLite: database is locked
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


async def _busy(_r: Request, exc: Exception) -> JSONResponse:
    # The database is locked by other writers, every connection is taken, or PostgreSQL
    # broke a deadlock or a serialization conflict by rolling this transaction back:
    # nothing was written by this request, so it is safe to retry.
    if isinstance(exc, OperationalError) and not _retryable(exc):
        raise exc
    return error(503, BUSY, headers={"Retry-After": "2"})


async def _not_text(_r: Request, exc: Exception) -> JSONResponse:
    # The last net: a string no encoder takes (a lone surrogate) that the guard missed.
    assert isinstance(exc, UnicodeEncodeError)
    return error(400, f"invalid text: {exc.reason}")


async def _not_text_for_the_database(_r: Request, exc: Exception) -> JSONResponse:
    cause = _unicode_cause(exc)
    if cause is None:
        raise exc
    return error(400, f"invalid text: {cause.reason}")


def _unicode_cause(exc: BaseException) -> UnicodeEncodeError | None:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, UnicodeEncodeError):
            return seen
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(tuple(e.get("loc", ())) == ("body",) for e in errors) and not _sent_json(request):
        sent = request.headers.get("content-type")
        came = f"it came as {sent}" if sent else "it came without a Content-Type"
        return error(415, f"the body must be JSON (Content-Type: application/json); {came}")
    problems = [_problem(e) for e in errors[:MAX_PROBLEMS]]
    return error(422, "invalid request", problems)


def _sent_json(request: Request) -> bool:
    """A body sent as JSON, or none at all (a missing body is a 422 naming ``body``)."""
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    json_kind = kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )
    return json_kind or not has_body


def _problem(e: Mapping[str, Any]) -> dict[str, str]:
    loc = tuple(e.get("loc", ()))
    if e.get("type") == "json_invalid":  # ("body", position)
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        reason = (e.get("ctx") or {}).get("error", "")
        return {"field": "body", "error": f"invalid JSON{at}: {reason}".rstrip(": ")}
    field = ".".join(str(p) for p in loc[1:]) or (str(loc[0]) if loc else "")
    return {"field": field, "error": str(e.get("msg", ""))}


async def _http(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's and Starlette's HTTPException: authentication's 401 and 429, a body's 400 and
    413, and the router's 404 (no such path) and 405 (a method the path does not take)."""
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if message == _phrase(exc.status_code):  # Starlette's bare default
        path = request.url.path
        if exc.status_code == 404:
            message = f"no such path: {path}"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = f"{request.method} is not allowed on {path}; allowed: {allowed}"
        else:
            message = message.lower()
    return error(exc.status_code, message, headers=exc.headers)


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    """A bug: the traceback goes to the server log under a reference, the client gets only
    the reference. This answer leaves outside the guard, so it carries the hygiene itself."""
    reference = secrets.token_hex(8)
    _log.error(
        "internal error %s on %s %s", reference, request.method, request.url.path, exc_info=exc
    )
    body = envelope(f"internal error (reference {reference} in the server log)")
    body["reference"] = reference
    hygiene = {k.decode("latin-1"): v.decode("latin-1") for k, v in HYGIENE}
    return JSONResponse(body, status_code=500, headers=hygiene)
