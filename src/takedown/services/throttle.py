"""Failed authentications, counted per client address: past the limit, a client waits.

The count lives in the database (``auth_failures``), one row per client and fixed window, so
every `takedown serve` process on the database sees the same count. The API's bearer tokens
use it (``takedown.web.auth``); a login form would too: ask ``retry_after`` before checking a
credential, call ``record_failure`` when it fails.
"""

from __future__ import annotations

import math
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from takedown.store.throttle import AuthFailure

UNKNOWN_CLIENT = "unknown"  # a request whose client address the server does not know


def window_start(now: float, window: int) -> int:
    return int(now // window) * window


def retry_after(
    session: Session, client: str | None, *, limit: int, window: int, now: float | None = None
) -> int:
    """Seconds until ``client`` may try again: 0 while it has had fewer than ``limit``
    failures in the current window of ``window`` seconds."""
    now = time.time() if now is None else now
    start = window_start(now, window)
    failures = session.scalar(
        select(AuthFailure.failures).where(
            AuthFailure.client == (client or UNKNOWN_CLIENT), AuthFailure.window_start == start
        )
    )
    if failures is None or failures < limit:
        return 0
    return max(1, math.ceil(start + window - now))


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
