"""Failed authentications, counted per client address: past the limit, a client waits.

The counts live where ``TAKEDOWN_THROTTLE_URL`` says, so every `takedown serve` process that
shares the place sees the same count:

- unset (the default): in the database (``auth_failures``), one row per client and fixed
  window (``DatabaseCounter``; ``retry_after`` and ``record_failure`` below);
- ``redis://…``: in Redis, one key per client and window that expires when the window ends
  (``RedisCounter``). Redis that does not answer fails open: nothing is counted and no one is
  refused, and a warning says so at most once a minute. The limit is against noise in the
  logs, not against guessing (a token has 256 bits), so an outage of Redis must not lock
  everyone out of the API nor answer 500 for every request.

Both keep the client address as the server names it (``takedown.web.guard``), in clear, like
the log line of each failure. ``counter_for`` gives a process its counter. The API's bearer
tokens use it (``takedown.web.auth``); a login form would too: ask ``retry_after`` before
checking a credential, call ``record_failure`` when it fails.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from takedown.config import Settings, throttle_url
from takedown.store.throttle import AuthFailure

if TYPE_CHECKING:
    from redis import Redis

    from takedown.store.db import Database

UNKNOWN_CLIENT = "unknown"  # a request whose client address the server does not know
REDIS_PREFIX = "takedown:auth-failures"
REDIS_TIMEOUT = 1.0  # seconds to connect to Redis, and for one answer
WARN_EVERY = 60.0  # seconds between two warnings that Redis does not answer

_log = logging.getLogger("takedown.services.throttle")


def window_start(now: float, window: int) -> int:
    return int(now // window) * window


def _wait(failures: int, *, limit: int, start: int, window: int, now: float) -> int:
    if failures < limit:
        return 0
    return max(1, math.ceil(start + window - now))


class FailureCounter(Protocol):
    """Where failed authentications are counted. ``session``: the caller's open database
    session, which the database counter uses instead of opening its own (others ignore it);
    ``now``: seconds since the epoch, for tests (default: the clock)."""

    def retry_after(
        self,
        client: str | None,
        *,
        limit: int,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        """Seconds until ``client`` may try again: 0 while it has had fewer than ``limit``
        failures in the current window of ``window`` seconds."""
        ...

    def record_failure(
        self,
        client: str | None,
        *,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        """Count one failure of ``client`` in the current window; the count so far is
        returned (0 when it could not be counted)."""
        ...


# -- the database -------------------------------------------------------------------------


def retry_after(
    session: Session, client: str | None, *, limit: int, window: int, now: float | None = None
) -> int:
    """Seconds until ``client`` may try again, by the database's count: 0 while it has had
    fewer than ``limit`` failures in the current window of ``window`` seconds."""
    now = time.time() if now is None else now
    start = window_start(now, window)
    failures = session.scalar(
        select(AuthFailure.failures).where(
            AuthFailure.client == (client or UNKNOWN_CLIENT), AuthFailure.window_start == start
        )
    )
    return _wait(failures or 0, limit=limit, start=start, window=window, now=now)


def record_failure(
    session: Session, client: str | None, *, window: int, now: float | None = None
) -> int:
    """Count one failure of ``client`` in the current window; the count so far is returned.
    Windows that have ended are deleted (a counter, not a log: the log has the failures)."""
    now = time.time() if now is None else now
    start = window_start(now, window)
    values = {"client": client or UNKNOWN_CLIENT, "window_start": start, "failures": 1}
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(AuthFailure)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[AuthFailure.client, AuthFailure.window_start],
            set_={"failures": AuthFailure.failures + 1},
        )
        .returning(AuthFailure.failures)
    )
    failures = int(session.execute(statement).scalar_one())
    session.execute(delete(AuthFailure).where(AuthFailure.window_start < start))
    return failures


class DatabaseCounter:
    """The counts in the database's ``auth_failures`` table (the default)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def retry_after(
        self,
        client: str | None,
        *,
        limit: int,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        if session is not None:
            return retry_after(session, client, limit=limit, window=window, now=now)
        with self.db.reading() as own:
            return retry_after(own, client, limit=limit, window=window, now=now)

    def record_failure(
        self,
        client: str | None,
        *,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        if session is not None:
            return record_failure(session, client, window=window, now=now)
        with self.db.session() as own:
            return record_failure(own, client, window=window, now=now)


# -- Redis --------------------------------------------------------------------------------


def redis_location(url: str) -> str:
    """The URL without its user name and password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class RedisCounter:
    """The counts in Redis: key ``takedown:auth-failures:<window>:<window start>:<client>``,
    raised with INCR and given an expiry in one MULTI/EXEC, gone a second after its window
    ends. Redis that does not answer within ``timeout`` seconds (or at all) counts nothing
    and refuses no one; a warning says so at most every ``WARN_EVERY`` seconds."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = REDIS_PREFIX,
        timeout: float = REDIS_TIMEOUT,
        client: Redis | None = None,
    ) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = url
        self.where = redis_location(url)
        self.prefix = prefix
        self.redis: Redis = client or redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # one try: the request is waiting
        )
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._warned_at = -math.inf
        self._missed = 0

    def key(self, client: str | None, window: int, start: int) -> str:
        return f"{self.prefix}:{window}:{start}:{client or UNKNOWN_CLIENT}"

    def retry_after(
        self,
        client: str | None,
        *,
        limit: int,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        now = time.time() if now is None else now
        start = window_start(now, window)
        try:
            value = self.redis.get(self.key(client, window, start))
        except self._errors as exc:
            self._unavailable(exc)
            return 0
        self._available()
        failures = int(value) if value is not None else 0
        return _wait(failures, limit=limit, start=start, window=window, now=now)

    def record_failure(
        self,
        client: str | None,
        *,
        window: int,
        session: Session | None = None,
        now: float | None = None,
    ) -> int:
        now = time.time() if now is None else now
        start = window_start(now, window)
        key = self.key(client, window, start)
        # EXPIRE, relative, not EXPIREAT: the key outlives its window (by this server's clock)
        # by a second, whatever Redis's clock says; a new window is a new key anyway.
        ttl = max(1, math.ceil(start + window - now)) + 1
        try:
            with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, ttl)
                failures, _ = pipe.execute()
        except self._errors as exc:
            self._unavailable(exc)
            return 0
        self._available()
        return int(failures)

    def _unavailable(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            if self._down_since is None:
                self._down_since = now
            self._missed += 1
            if now - self._warned_at < WARN_EVERY:
                return
            self._warned_at, missed, self._missed = now, self._missed, 0
        # The location has no password; redis-py's messages name a host and port at most.
        _log.warning(
            "failed authentications are not counted: Redis at %s (TAKEDOWN_THROTTLE_URL) does "
            "not answer (%s: %s); no client is refused until it does (%d calls failed since the "
            "last warning)",
            self.where,
            type(exc).__name__,
            exc,
            missed,
        )

    def _available(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since, self._missed = self._down_since, None, 0
            self._warned_at = -math.inf
        if since is not None:
            _log.warning(
                "Redis at %s answers again after %.0f s: failed authentications are counted",
                self.where,
                time.monotonic() - since,
            )

    def close(self) -> None:
        self.redis.close()


# -- the counter of a process -------------------------------------------------------------

_redis_counters: weakref.WeakKeyDictionary[Database, dict[str, RedisCounter]] = (
    weakref.WeakKeyDictionary()
)
_counters_lock = threading.Lock()


def counter_for(db: Database, settings: Settings) -> FailureCounter:
    """The counter that ``settings.throttle_url`` names: the database ``db`` when unset, or
    Redis, one client (and connection pool) per database object and URL."""
    url = throttle_url(settings.throttle_url)  # Settings checked it; model_copy does not
    if url is None:
        return DatabaseCounter(db)
    with _counters_lock:
        counters = _redis_counters.setdefault(db, {})
        counter = counters.get(url)
        if counter is None:
            counter = counters[url] = RedisCounter(url)
    return counter
