"""Bearer-token authentication, checked on the server for every request.

A client address with ``TAKEDOWN_AUTH_FAILURE_LIMIT`` failed authentications in the current
window (``TAKEDOWN_AUTH_FAILURE_WINDOW`` seconds) gets 429 with ``Retry-After`` on every
request that needs a token, before the token is looked at (``takedown.services.throttle``).
The counts live in the database, or in Redis when ``TAKEDOWN_THROTTLE_URL`` names one.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from takedown.config import Settings
from takedown.services import throttle
from takedown.services.units import Principal, authenticate_token
from takedown.store.db import Database

_bearer = HTTPBearer(auto_error=False, description="An API token from `takedown token create`.")
_log = logging.getLogger("takedown.web.auth")

MISSING = "missing bearer token"
INVALID = "invalid, expired or revoked token"


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def authenticate(
    db: Database,
    settings: Settings,
    client: str | None,
    creds: HTTPAuthorizationCredentials | None,
) -> Principal:
    """The principal of a bearer token, or an HTTPException: 429 for a client over the
    failure limit, 401 for a missing or bad token (a bad one counts as a failure)."""
    limit, window = settings.auth_failure_limit, settings.auth_failure_window
    failures = throttle.counter_for(db, settings)  # the database, or Redis (THROTTLE_URL)
    token = creds.credentials if creds and creds.scheme.lower() == "bearer" else ""
    with db.reading() as session:  # never waits for an import's write lock
        # The database counter reads in this session; Redis is asked before it touches the
        # database (a session takes its connection at its first statement).
        wait = failures.retry_after(client, limit=limit, window=window, session=session)
        who = authenticate_token(session, token) if token and not wait else None
    if wait:
        raise HTTPException(
            429,
            f"too many failed authentications from {client}; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    if not token:
        raise HTTPException(401, MISSING, headers={"WWW-Authenticate": "Bearer"})
    if who is None:
        count = failures.record_failure(client, window=window)  # 0: Redis did not answer
        # Never the token itself: a near miss of a real one is still a secret.
        _log.warning(
            "failed authentication from %s: unknown, expired or revoked token "
            "(%d of %d in this %d s window)",
            client,
            count,
            limit,
            window,
        )
        raise HTTPException(401, INVALID, headers={"WWW-Authenticate": "Bearer"})
    return who


def principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else None
    return authenticate(get_db(request), settings, client, creds)
