"""POST /api/v1/operations/{op}/reports, /healthz and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from takedown.services import units
from takedown.store.db import Database
from takedown.store.models import ApiToken, Report, utcnow

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

URL = "/api/v1/operations/OP1/reports"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _reports(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_openapi_lists_the_reports_path(client: TestClient) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert "post" in doc["paths"]["/api/v1/operations/{op}/reports"]


def test_no_token_is_401(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    r = client.post(URL, json={"reports": [{"url": "https://example.org/1"}]})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    wrong = client.post(URL, json={"reports": []}, headers=bearer("tdk_not-a-token"))
    assert wrong.status_code == 401
    basic = client.post(URL, json={"reports": []}, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    assert _reports(db) == 0


def test_platform_unit_is_403(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    r = client.post(URL, json={"reports": [{"url": "https://example.org/1"}]},
                    headers=bearer(tokens["platform"]))  # fmt: skip
    assert r.status_code == 403
    auditor = client.post(URL, json={"reports": [{"url": "https://example.org/1"}]},
                          headers=bearer(tokens["auditor"]))  # fmt: skip
    assert auditor.status_code == 403
    assert _reports(db) == 0


def test_revoked_token_is_401(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    body = {"reports": [{"url": "https://example.org/1"}]}
    assert client.post(URL, json=body, headers=bearer(tokens["de"])).status_code == 200
    with db.session() as s:
        token_id = s.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == units.token_digest(tokens["de"]))
        )
        units.revoke_token(s, int(token_id), actor="test")  # type: ignore[arg-type]
    assert client.post(URL, json=body, headers=bearer(tokens["de"])).status_code == 401


def test_expired_token_is_401(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    body = {"reports": [{"url": "https://example.org/1"}]}
    assert client.post(URL, json=body, headers=bearer(tokens["expiring"])).status_code == 200
    with db.engine.begin() as conn:  # age the token, as the clock would
        conn.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == units.token_digest(tokens["expiring"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert client.post(URL, json=body, headers=bearer(tokens["expiring"])).status_code == 401


def test_post_reports_result(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    body = {
        "reports": [
            {"url": "https://example.org/page/1", "title": "a", "severity": "high"},
            {"url": "https://EXAMPLE.org/page/1?utm_source=x", "external_id": "DE-2"},
            {"url": "https://example.org/page/3", "reported_at": "2026-11-27T08:00:00Z"},
        ]
    }
    r = client.post(URL, json=body, headers=bearer(tokens["de"]))
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["accepted"], got["new_items"], got["merged"], got["duplicates"]) == (3, 2, 1, 0)
    assert got["rejected"] == []
    assert got["ignored_fields"] == ["severity"]
    assert [i["row"] for i in got["items"]] == [1, 2, 3]
    assert got["items"][0]["item_id"] == got["items"][1]["item_id"] != got["items"][2]["item_id"]
    assert [i["new"] for i in got["items"]] == [True, False, True]
    again = client.post(URL, json=body, headers=bearer(tokens["de"])).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    assert all(i["duplicate"] for i in again["items"])
    fr = client.post(URL, json={"reports": [{"url": "https://example.org/page/3"}]},
                     headers=bearer(tokens["fr"])).json()  # fmt: skip
    assert (fr["accepted"], fr["merged"]) == (1, 1)
    assert fr["items"][0]["item_id"] == got["items"][2]["item_id"]
    assert _reports(db) == 4
    with db.session() as s:
        sources = set(s.scalars(select(Report.source)))
    assert sources == {"api"}


def test_bad_rows_are_rejected_and_neighbours_accepted(
    client: TestClient, tokens: dict[str, str], db: Database
) -> None:
    body = {
        "reports": [
            {"url": "https://example.org/1"},
            {"url": "https://example.org/2", "title": {"nested": "object"}},
            {"url": "https://"},
            {"url": "https://example.org/4", "notes": "a\x00b"},
            {"url": "https://example.org/5", "evidence_path": "/etc/passwd"},
        ]
    }
    r = client.post(URL, json=body, headers=bearer(tokens["de"]))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["accepted"] == 1
    assert [(x["row"], x["field"]) for x in got["rejected"]] == [
        (2, "title"),
        (3, "url"),
        (4, "notes"),
        (5, "evidence_path"),
    ]
    assert all(x["reason"] for x in got["rejected"])
    assert _reports(db) == 1


def test_too_many_reports_is_413(client: TestClient, tokens: dict[str, str], db: Database) -> None:
    body = {"reports": [{"url": f"https://example.org/{n}"} for n in range(6)]}
    r = client.post(URL, json=body, headers=bearer(tokens["de"]))
    assert r.status_code == 413
    assert _reports(db) == 0
    at_limit = {"reports": body["reports"][:5]}
    assert client.post(URL, json=at_limit, headers=bearer(tokens["de"])).status_code == 200


def test_unknown_operation_is_404(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/operations/NOPE/reports",
                    json={"reports": [{"url": "https://example.org/1"}]},
                    headers=bearer(tokens["de"]))  # fmt: skip
    assert r.status_code == 404
    assert "NOPE" in r.json()["error"]


def test_malformed_body_is_422(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post(URL, json={"reports": "not a list"}, headers=bearer(tokens["de"]))
    assert r.status_code == 422
    assert r.json()["problems"]
    r = client.post(URL, json={"reports": [1, 2]}, headers=bearer(tokens["de"]))
    assert r.status_code == 422
