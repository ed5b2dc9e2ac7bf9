"""The failed-authentication count in either store: the database (the default) or Redis
(``TAKEDOWN_THROTTLE_URL``). The same behaviour from both; several servers share one count;
a window's count ends with the window; Redis that does not answer refuses no one, and never
turns a request into a 500.

The Redis tests use a real Redis at 127.0.0.1:6379 (database 13, flushed by each test); they
are skipped when it does not answer, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from takedown.config import Settings
from takedown.errors import UserError
from takedown.services import throttle
from takedown.store.db import Database
from takedown.web.app import create_app

from .conftest import TestClient

REDIS_URL = "redis://127.0.0.1:6379/13"
LIMIT = 5
WINDOW = 60
BAD = {"Authorization": "Bearer tdk_not-a-token"}
PATH = "/api/v1/platform/referrals"
HOST = "203.0.113.9"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _require_redis() -> None:
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis does not answer on 127.0.0.1:6379, and CI=true requires it")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    """Database 13 of the local Redis, empty before and after the test."""
    _require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(params=["database", "redis"])
def throttle_url(request: pytest.FixtureRequest) -> str | None:
    """TAKEDOWN_THROTTLE_URL for each store: unset, then Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_db")
        return REDIS_URL
    return None


class Clock:
    """Stands in for the time module in takedown.services.throttle."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a window

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "time", fake)
    return fake


def _settings(db_url: str, tmp_path: Path, throttle_url: str | None, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        auth_failure_limit=LIMIT,
        auth_failure_window=WINDOW,
        throttle_url=throttle_url,
        **extra,
    )


@pytest.fixture
def app_settings(db_url: str, tmp_path: Path, throttle_url: str | None) -> Settings:
    return _settings(db_url, tmp_path, throttle_url)


def _close_counters(*dbs: Database) -> None:
    """Close the Redis clients the apps on these databases opened (their sockets)."""
    for db in dbs:
        for counter in throttle._redis_counters.pop(db, {}).values():
            counter.close()


@pytest.fixture
def client(app_settings: Settings, db: Database) -> Iterator[TestClient]:
    try:
        with TestClient(create_app(app_settings, db), client=(HOST, 40000)) as c:
            yield c
    finally:
        _close_counters(db)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _counter(url: str, **kwargs: Any) -> throttle.RedisCounter:
    return throttle.RedisCounter(url, **kwargs)


# -- the same behaviour from both stores --------------------------------------------------


def test_the_store_is_the_one_the_setting_names(
    app_settings: Settings, db: Database, throttle_url: str | None
) -> None:
    counter = throttle.counter_for(db, app_settings)
    try:
        if throttle_url is None:
            assert isinstance(counter, throttle.DatabaseCounter)
        else:
            assert isinstance(counter, throttle.RedisCounter) and counter.url == throttle_url
            assert throttle.counter_for(db, app_settings) is counter  # one client per process
    finally:
        _close_counters(db)


def test_429_after_the_limit_with_retry_after_then_recovery(
    client: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    for _ in range(LIMIT):
        assert client.get(PATH, headers=BAD).status_code == 401
    clock.now += 15
    refused = client.get(PATH, headers=BAD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(WINDOW - 15)
    assert f"too many failed authentications from {HOST}" in refused.text
    # While refused, the address gets 429 whatever it sends, a good token included.
    assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 429
    assert client.get(PATH).status_code == 429
    # The next window starts afresh.
    clock.now += WINDOW - 15
    assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200
    assert client.get(PATH, headers=BAD).status_code == 401


def test_a_missing_token_is_not_a_failure(
    client: TestClient, tokens: dict[str, str], clock: Clock
) -> None:
    for _ in range(LIMIT * 2):
        assert client.get(PATH).status_code == 401
    assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200


def test_addresses_are_counted_apart(
    app_settings: Settings, db: Database, tokens: dict[str, str], clock: Clock
) -> None:
    app = create_app(app_settings, db)
    try:
        with (
            TestClient(app, client=("198.51.100.1", 1)) as one,
            TestClient(app, client=("198.51.100.2", 1)) as two,
        ):
            for _ in range(LIMIT):
                assert one.get(PATH, headers=BAD).status_code == 401
            assert one.get(PATH, headers=BAD).status_code == 429
            assert two.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200
            assert two.get(PATH, headers=BAD).status_code == 401
    finally:
        _close_counters(db)


def test_two_servers_share_the_count(
    app_settings: Settings,
    db_url: str,
    db: Database,
    tokens: dict[str, str],
    clock: Clock,
    throttle_url: str | None,
) -> None:
    """Two apps, each with its own engine and (for Redis) its own client and connections,
    as two `takedown serve` processes have."""
    other_db = Database(db_url)
    try:
        with (
            TestClient(create_app(app_settings, db), client=(HOST, 1)) as one,
            TestClient(create_app(app_settings, other_db), client=(HOST, 2)) as two,
        ):
            for n in range(LIMIT):
                assert (one if n % 2 else two).get(PATH, headers=BAD).status_code == 401
            assert one.get(PATH, headers=BAD).status_code == 429
            assert two.get(PATH, headers=_bearer(tokens["platform"])).status_code == 429
        if throttle_url is not None:
            ours, theirs = throttle._redis_counters[db], throttle._redis_counters[other_db]
            assert ours[throttle_url] is not theirs[throttle_url]
    finally:
        _close_counters(db, other_db)
        other_db.dispose()


def test_counts_and_waits_across_the_window(
    app_settings: Settings, db: Database, throttle_url: str | None
) -> None:
    counter = throttle.counter_for(db, app_settings)
    start = 1_800_000_000.0
    try:
        for n in range(1, LIMIT + 1):
            assert counter.record_failure("198.51.100.1", window=WINDOW, now=start + n) == n
            waits = counter.retry_after("198.51.100.1", limit=LIMIT, window=WINDOW, now=start + n)
            assert waits == (WINDOW - n if n == LIMIT else 0)
        assert counter.retry_after(None, limit=LIMIT, window=WINDOW, now=start + 10) == 0
        assert (
            counter.retry_after("198.51.100.1", limit=LIMIT, window=WINDOW, now=start + 59.5) == 1
        )
        # The window ended: a new count.
        later = start + WINDOW
        assert counter.retry_after("198.51.100.1", limit=LIMIT, window=WINDOW, now=later) == 0
        assert counter.record_failure("198.51.100.1", window=WINDOW, now=later) == 1
        # A client the server cannot name is counted as one.
        assert counter.record_failure(None, window=WINDOW, now=later) == 1
        assert counter.record_failure(None, window=WINDOW, now=later) == 2
    finally:
        _close_counters(db)


def test_a_failure_is_logged_with_the_address_never_the_token(
    client: TestClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "tdk_" + "s" * 43
    with caplog.at_level(logging.WARNING):
        client.get(PATH, headers=_bearer(secret))
        client.get(PATH, headers=_bearer(secret))
    lines = [r.getMessage() for r in caplog.records if r.name == "takedown.web.auth"]
    assert len(lines) == 2 and HOST in lines[0]
    assert f"1 of {LIMIT}" in lines[0] and f"2 of {LIMIT}" in lines[1]
    assert all("sssss" not in r.getMessage() for r in caplog.records)


# -- Redis ----------------------------------------------------------------------------------


def test_two_redis_counters_on_one_redis_see_each_others_counts(
    redis_db: redis.Redis, clock: Clock
) -> None:
    one, two = _counter(REDIS_URL), _counter(REDIS_URL)
    try:
        assert one.redis is not two.redis
        assert one.record_failure(HOST, window=WINDOW) == 1
        assert two.record_failure(HOST, window=WINDOW) == 2
        assert one.record_failure(HOST, window=WINDOW) == 3
        assert two.retry_after(HOST, limit=3, window=WINDOW) == WINDOW
        assert one.retry_after(HOST, limit=4, window=WINDOW) == 0
        # One key, in the takedown namespace, holding the count.
        start = int(clock.now)
        assert redis_db.keys("*") == [f"takedown:auth-failures:{WINDOW}:{start}:{HOST}".encode()]
    finally:
        one.close()
        two.close()


def test_concurrent_failures_are_each_counted(redis_db: redis.Redis) -> None:
    """INCR in MULTI/EXEC: no count is lost when several servers write at once."""
    from concurrent.futures import ThreadPoolExecutor

    counters = [_counter(REDIS_URL) for _ in range(4)]
    now = 1_800_000_000.0
    try:
        with ThreadPoolExecutor(8) as pool:
            counts = list(
                pool.map(
                    lambda n: counters[n % 4].record_failure(HOST, window=WINDOW, now=now),
                    range(200),
                )
            )
        assert sorted(counts) == list(range(1, 201))
    finally:
        for counter in counters:
            counter.close()


def test_a_key_expires_when_its_window_ends(redis_db: redis.Redis, clock: Clock) -> None:
    counter = _counter(REDIS_URL)
    try:
        clock.now += 45  # 15 s of the window left
        counter.record_failure(HOST, window=WINDOW)
        [key] = redis_db.keys("*")
        assert 14 <= redis_db.ttl(key) <= 16  # the window's rest, and a second
        # Each failure sets it from the window's end again, never longer.
        clock.now += 10
        counter.record_failure(HOST, window=WINDOW)
        assert 4 <= redis_db.ttl(key) <= 6
    finally:
        counter.close()


def test_a_key_is_gone_from_redis_after_its_window(redis_db: redis.Redis) -> None:
    """On the real clock, with a 1-second window: Redis itself drops the count."""
    counter = _counter(REDIS_URL)
    try:
        counter.record_failure(HOST, window=1)
        assert len(redis_db.keys("*")) == 1
        deadline = time.monotonic() + 5  # the window's rest (< 1 s) and a second, and slack
        while redis_db.keys("*") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert redis_db.keys("*") == []
    finally:
        counter.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there now: connections are refused


def test_redis_down_fails_open_without_a_500(
    db_url: str,
    db: Database,
    tmp_path: Path,
    tokens: dict[str, str],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"redis://:hunter2@127.0.0.1:{_closed_port()}/13"
    settings = _settings(db_url, tmp_path, url)
    try:
        with (
            caplog.at_level(logging.WARNING),
            TestClient(create_app(settings, db), client=(HOST, 1)) as client,
        ):
            for _ in range(LIMIT * 2):
                assert client.get(PATH, headers=BAD).status_code == 401
            assert client.get(PATH, headers=_bearer(tokens["platform"])).status_code == 200
            assert client.get(PATH).status_code == 401
    finally:
        _close_counters(db)
    warnings = [r.getMessage() for r in caplog.records if r.name == "takedown.services.throttle"]
    # One warning, not one a request; with where Redis is, never its password.
    assert len(warnings) == 1, warnings
    assert "not counted" in warnings[0] and "TAKEDOWN_THROTTLE_URL" in warnings[0]
    assert "127.0.0.1" in warnings[0]
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    failures = [r.getMessage() for r in caplog.records if r.name == "takedown.web.auth"]
    assert len(failures) == LIMIT * 2 and f"0 of {LIMIT}" in failures[0]


def test_a_redis_that_hangs_costs_at_most_its_timeout() -> None:
    """A Redis that accepts the connection but never answers: given up after the timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # never accepted: the kernel completes the handshake, no one reads
        port = listener.getsockname()[1]
        counter = _counter(f"redis://127.0.0.1:{port}/13", timeout=0.2)
        try:
            began = time.monotonic()
            assert counter.retry_after(HOST, limit=1, window=WINDOW) == 0
            assert counter.record_failure(HOST, window=WINDOW) == 0
            assert time.monotonic() - began < 2.0
        finally:
            counter.close()


def test_counting_resumes_when_redis_answers_again(
    redis_db: redis.Redis, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    counter = _counter(REDIS_URL)
    down = redis.Redis.from_url(f"redis://127.0.0.1:{_closed_port()}/13")
    up = counter.redis
    try:
        with caplog.at_level(logging.WARNING, logger="takedown.services.throttle"):
            assert counter.record_failure(HOST, window=WINDOW) == 1
            counter.redis = down
            assert counter.record_failure(HOST, window=WINDOW) == 0
            assert counter.retry_after(HOST, limit=1, window=WINDOW) == 0  # open: no one waits
            counter.redis = up
            assert counter.record_failure(HOST, window=WINDOW) == 2
            assert counter.retry_after(HOST, limit=2, window=WINDOW) == WINDOW
        lines = [r.getMessage() for r in caplog.records if r.name == "takedown.services.throttle"]
        assert len(lines) == 2
        assert "does not answer" in lines[0] and "answers again" in lines[1]
    finally:
        down.close()
        counter.close()


# -- the setting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/1", "rediss://cache:6380/0", "unix:///run/redis.sock"]
)
def test_a_redis_url_is_taken(url: str, tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, throttle_url=url).throttle_url == url


@pytest.mark.parametrize("url", ["", "  "])
def test_an_empty_url_is_the_database(url: str, tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, throttle_url=url).throttle_url is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://takedown:hunter2@db:5432/takedown", "a postgresql:// URL, not Redis"),
        ("memcached://cache:11211", "a memcached:// URL, not Redis"),
        ("hunter2@127.0.0.1:6379", "not a URL"),
    ],
)
def test_any_other_url_is_refused_naming_the_setting(url: str, says: str, tmp_path: Path) -> None:
    with pytest.raises(UserError) as refused:
        Settings(data_dir=tmp_path, throttle_url=url)
    message = str(refused.value)
    assert "TAKEDOWN_THROTTLE_URL" in message and says in message
    assert "hunter2" not in message


def test_the_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TAKEDOWN_THROTTLE_URL", "redis://127.0.0.1:6379/13")
    assert Settings(data_dir=tmp_path).throttle_url == "redis://127.0.0.1:6379/13"
    monkeypatch.setenv("TAKEDOWN_THROTTLE_URL", "sqlite:///var/throttle.db")
    with pytest.raises(UserError, match="TAKEDOWN_THROTTLE_URL"):
        Settings(data_dir=tmp_path)


def test_the_queue_url_does_not_move_the_count(tmp_path: Path, db: Database) -> None:
    settings = Settings(data_dir=tmp_path, queue_url="redis://127.0.0.1:6379/0")
    assert settings.throttle_url is None
    assert isinstance(throttle.counter_for(db, settings), throttle.DatabaseCounter)


def test_a_copied_setting_is_checked_too(tmp_path: Path, db: Database) -> None:
    """model_copy skips validation: the counter is refused when it is built instead."""
    settings = Settings(data_dir=tmp_path).model_copy(update={"throttle_url": "http://x"})
    with pytest.raises(UserError, match="TAKEDOWN_THROTTLE_URL"):
        throttle.counter_for(db, settings)


def test_the_location_in_messages_has_no_password() -> None:
    assert throttle.redis_location("redis://user:hunter2@cache:6380/2") == "redis://cache:6380/2"
    assert throttle.redis_location("redis://[::1]:6379/0") == "redis://[::1]:6379/0"
    assert throttle.redis_location("unix:///run/redis.sock") == "unix:///run/redis.sock"
