"""Failed authentications are counted per client address, in the database: past the limit the
client gets 429 with Retry-After, in every process on that database, until the window ends."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from takedown.config import Settings
from takedown.services import throttle
from takedown.store.db import Database
from takedown.web.app import create_app
from takedown.web.guard import client_address

from .conftest import TestClient

LIMIT = 5
WINDOW = 60
BAD = {"Authorization": "Bearer tdk_not-a-token"}
PATH = "/api/v1/platform/referrals"


class Clock:
    """Stands in for the time module in takedown.services.throttle."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a window

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "time", fake)
    return fake


def _settings(db_url: str, tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        auth_failure_limit=LIMIT,
        auth_failure_window=WINDOW,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def app_settings(db_url: str, tmp_path: Path) -> Settings:
    return _settings(db_url, tmp_path)


def _client(settings: Settings, db: Database, host: str = "203.0.113.9") -> Iterator[TestClient]:
    with TestClient(create_app(settings, db), client=(host, 40000)) as client:
        yield client


@pytest.fixture
def client(app_settings: Settings, db: Database) -> Iterator[TestClient]:
    yield from _client(app_settings, db)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_429_after_the_limit_with_retry_after_then_recovery(
    client: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    for _ in range(LIMIT):
        assert client.get(PATH, headers=BAD).status_code == 401
    clock.now += 15
    refused = client.get(PATH, headers=BAD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(WINDOW - 15)
    assert "too many failed authentications from 203.0.113.9" in refused.json()["error"]
    # While refused, the address gets 429 whatever it sends, a good token included.
    assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 429
    assert client.get(PATH).status_code == 429
    # The next window starts afresh.
    clock.now += WINDOW - 15
    assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200
    assert client.get(PATH, headers=BAD).status_code == 401


def test_a_missing_token_is_not_a_failure(client: TestClient, clock: Clock) -> None:
    for _ in range(LIMIT * 2):
        assert client.get(PATH).status_code == 401


def test_two_servers_on_one_database_share_the_count(
    app_settings: Settings, db_url: str, db: Database, tokens: dict[str, str], clock: Clock
) -> None:
    other_db = Database(db_url)  # a second process: its own app and engine, the same database
    try:
        with (
            TestClient(create_app(app_settings, db), client=("203.0.113.9", 1)) as one,
            TestClient(create_app(app_settings, other_db), client=("203.0.113.9", 2)) as two,
        ):
            for n in range(LIMIT):
                assert (one if n % 2 else two).get(PATH, headers=BAD).status_code == 401
            assert one.get(PATH, headers=BAD).status_code == 429
            assert two.get(PATH, headers=_bearer(tokens["platform"])).status_code == 429
    finally:
        other_db.dispose()


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    db_url: str, db: Database, tmp_path: Path, tokens: dict[str, str], clock: Clock
) -> None:
    # No trusted proxy: X-Forwarded-For is the client's own say, and changes nothing.
    settings = _settings(db_url, tmp_path)
    for client in _client(settings, db, host="10.0.0.1"):
        for n in range(LIMIT):
            spoof = {"X-Forwarded-For": f"198.51.100.{n}"}
            assert client.get(PATH, headers=BAD | spoof).status_code == 401
        fresh = {"X-Forwarded-For": "198.51.100.200"}
        assert client.get(PATH, headers=BAD | fresh).status_code == 429

    # 10.0.0.0/8 trusted: the right-most address that is not a proxy is the client.
    clock.now += WINDOW
    settings = _settings(db_url, tmp_path, trusted_proxies=["10.0.0.0/8"])
    for client in _client(settings, db, host="10.0.0.1"):
        # What the client wrote itself (the left-most 192.0.2.1) does not matter.
        for n in range(LIMIT):
            via = {"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.7, 10.0.0.2"}
            assert client.get(PATH, headers=BAD | via).status_code == 401
        refused = client.get(PATH, headers=BAD | {"X-Forwarded-For": "198.51.100.7"})
        assert refused.status_code == 429
        assert "198.51.100.7" in refused.json()["error"]
        other = {"X-Forwarded-For": "198.51.100.8"}
        assert client.get(PATH, headers=_bearer(tokens["platform"]) | other).status_code == 200
        # The proxy's own address was never counted.
        assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200

    # A trusted proxy list does not make an untrusted peer's header count.
    for client in _client(settings, db, host="203.0.113.50"):
        spoof = {"X-Forwarded-For": "198.51.100.7"}
        assert client.get(PATH, headers=_bearer(tokens["platform"]) | spoof).status_code == 200


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # peer not trusted
        ("10.0.0.1", [], "10.0.0.1"),  # a trusted proxy with no header: itself
        ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.1", ["1.2.3.4, 198.51.100.1, 10.0.0.9"], "198.51.100.1"),
        ("10.0.0.1", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  # two header lines
        ("10.0.0.1", ["10.0.0.7, 10.0.0.8"], "10.0.0.7"),  # all proxies: the left-most
        ("10.0.0.1", ["198.51.100.1:5555"], "198.51.100.1"),
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("10.0.0.1", ["198.51.100.1, not-an-address"], "10.0.0.1"),  # stop at what is malformed
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], client: str) -> None:
    import ipaddress

    assert client_address(peer, forwarded, [ipaddress.ip_network("10.0.0.0/8")]) == client


def test_a_failure_is_logged_with_the_address_never_the_token(
    client: TestClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "tdk_" + "s" * 43
    with caplog.at_level(logging.WARNING, logger="takedown.web.auth"):
        client.get(PATH, headers=_bearer(secret))
    lines = [r.getMessage() for r in caplog.records if r.name == "takedown.web.auth"]
    assert len(lines) == 1 and "203.0.113.9" in lines[0] and f"1 of {LIMIT}" in lines[0]
    assert all(
        secret not in r.getMessage() and "sssss" not in r.getMessage() for r in caplog.records
    )


def test_windows_that_ended_are_deleted(db: Database) -> None:
    from sqlalchemy import func, select

    from takedown.store.throttle import AuthFailure

    with db.session() as session:
        throttle.record_failure(session, "198.51.100.1", window=60, now=1_000.0)
        throttle.record_failure(session, "198.51.100.2", window=60, now=1_000.0)
        assert throttle.record_failure(session, "198.51.100.1", window=60, now=1_010.0) == 2
    with db.session() as session:
        assert throttle.record_failure(session, "198.51.100.1", window=60, now=1_100.0) == 1
        assert session.scalar(select(func.count()).select_from(AuthFailure)) == 1
