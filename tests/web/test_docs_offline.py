"""The interactive API docs work offline: Swagger UI (/api/v1/docs) and ReDoc (/api/v1/redoc)
load every asset from this server, name no other origin, and run scripts only by nonce."""

from __future__ import annotations

import re

import pytest

from .conftest import TestClient

PAGES = {
    "/api/v1/docs": ("SwaggerUIBundle", {".js", ".css", ".png"}),
    "/api/v1/redoc": ("Redoc", {".js", ".png"}),
}
TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def _policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_docs_page_loads_every_asset_from_this_server(client: TestClient, page: str) -> None:
    answer = client.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert not re.search(r"(?i)\b(https?:)?//[a-z0-9]", html), "the page names another origin"
    assert "/api/v1/openapi.json" in html
    bundle, kinds = PAGES[page]
    urls = re.findall(r"\b(?:src|href)=\"([^\"]+)\"", html)
    assert {url[url.rfind(".") :] for url in urls} == kinds
    loaded = b""
    for url in urls:
        assert url.startswith("/api/v1/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert TYPES[url[url.rfind(".") :]] in asset.headers["content-type"], url
        assert len(asset.content) > 1000, url
        loaded += asset.content
    assert bundle.encode() in loaded  # the real Swagger UI or ReDoc, not a stand-in


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_docs_page_runs_scripts_only_by_nonce(client: TestClient, page: str) -> None:
    first, second = client.get(page), client.get(page)
    header = first.headers["content-security-policy"]
    policy = _policy(header)
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    scripts = policy["script-src"]
    nonce = next(s for s in scripts if s.startswith("'nonce-"))[len("'nonce-") : -1]
    assert set(scripts) == {"'self'", f"'nonce-{nonce}'"}  # no 'unsafe-inline', no eval
    assert nonce not in second.headers["content-security-policy"]
    for directive, sources in policy.items():
        assert not [s for s in sources if "." in s or "://" in s], (directive, sources)
    tags = re.findall(r"<script\b[^>]*>", first.text)
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)


def test_an_asset_that_is_not_there_is_a_404_envelope(client: TestClient) -> None:
    answer = client.get("/api/v1/docs/assets/../../../etc/passwd")
    assert answer.status_code == 404
    assert set(answer.json()) == {"error"}
