"""A locked database or an exhausted pool is a 503 with Retry-After, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from takedown.config import Settings
from takedown.store.db import Database
from takedown.web.app import create_app


def test_busy_database_answers_503(settings: Settings, db: Database) -> None:
    app = create_app(settings, db)

    @app.get("/locked")
    def locked() -> None:
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    @app.get("/pool")
    def pool() -> None:
        raise PoolTimeout("QueuePool limit of size 20 overflow 20 reached")

    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/locked", "/pool"):
            response = client.get(path)
            assert response.status_code == 503
            assert response.headers["retry-after"] == "2"
            assert "nothing was written" in response.json()["error"]


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def test_a_deadlock_or_serialization_failure_is_a_retry_not_a_500(
    settings: Settings, db: Database
) -> None:
    app = create_app(settings, db)

    @app.get("/pg/{state}")
    def rolled_back(state: str) -> None:
        raise OperationalError("UPDATE items", {}, _PgError(state))

    with TestClient(app, raise_server_exceptions=False) as client:
        for state in ("40P01", "40001", "55P03"):  # deadlock, serialization, lock not available
            response = client.get(f"/pg/{state}")
            assert response.status_code == 503 and response.headers["retry-after"] == "2"
