"""Bearer-token authentication, checked on the server for every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from takedown.services.units import Principal, authenticate_token
from takedown.store.db import Database

_bearer = HTTPBearer(auto_error=False, description="An API token from `takedown token create`.")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    db = get_db(request)
    with db.reading() as session:  # never waits for an import's write lock
        who = authenticate_token(session, creds.credentials)
    if who is None:
        raise HTTPException(
            401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"}
        )
    return who
