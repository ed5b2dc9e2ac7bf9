"""Real consumers: SqliteHuey worker threads inside this process, and RedisHuey.

The Redis test runs when Redis answers on 127.0.0.1:6379 and is skipped otherwise, except
under CI (CI=true), where a missing Redis is a failure.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest

from takedown.config import Settings
from takedown.interop.tabular import Row
from takedown.jobs.runner import start_in_process
from takedown.services import assessment, operations, units
from takedown.services.intake import submit_reports
from takedown.store.db import Database

from ..delivery.helpers import World, delivery, make_world, refer, webhook_server

WAIT = 30.0  # generous: a bound on a hang, not a timing assertion


def _wait_for_status(db: Database, delivery_id: int, status: str) -> str:
    deadline = time.monotonic() + WAIT
    current = delivery(db, delivery_id).status
    while current != status and time.monotonic() < deadline:
        time.sleep(0.05)
        current = delivery(db, delivery_id).status
    return current


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _run_a_delivery(db: Database, settings: Settings, name: str) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        # committed before the workers start (no hook yet): re-derived at start-up
        [first_id] = refer(db, world)
        stop = start_in_process(settings, db, workers=2, name=name)
        try:
            assert _wait_for_status(db, first_id, "delivered") == "delivered"
            # committed while they run: enqueued by the commit hook; the 503 is retried
            # when the platform asked (Retry-After: 1), by the consumer's scheduler
            receiver.script = [(503, {"Retry-After": "1"})]
            [second_id] = _refer_another(db, world)
            assert _wait_for_status(db, second_id, "delivered") == "delivered"
        finally:
            stop()
    assert len(receiver.requests) == 3  # the first, the 503, its retry
    assert delivery(db, second_id).attempts == 2


def _refer_another(db: Database, world: World) -> list[int]:
    """Report, assess and refer one more URL in the same operation."""
    with db.session() as s:
        unit = units.get_unit(s, "DE-IRU")
        operation = operations.get_operation(s, world.operation_id)
    rows = [Row(1, {"url": "https://t.me/consectetur_chan/9"})]
    result = submit_reports(
        db, operation, unit, rows=rows, actor="test", source="test", keep_items=True
    )
    with db.session() as s:
        assessment.assess_item(
            s,
            world.analyst,
            result.items[0].item_id,
            verdict="terrorist_content",
            legal_grounds=["a"],
        )
    return refer(db, world)


def test_worker_threads_in_process_deliver_and_retry(db: Database, settings: Settings) -> None:
    """SqliteHuey at DATA_DIR/queue.db, consumer threads started from a non-main thread."""
    import threading

    stops = []
    thread = threading.Thread(
        target=lambda: stops.append(start_in_process(settings, db, workers=0, name="noop"))
    )
    thread.start()
    thread.join()
    stops[0]()  # 0 workers: only the commit hook, removed again
    assert db.commit_hooks == []
    _run_a_delivery(db, settings, name=f"takedown-test-{uuid.uuid4().hex[:8]}")
    assert db.commit_hooks == []
    assert (settings.data_dir / "queue.db").exists()


def test_redis_queue_delivers(db: Database, settings: Settings) -> None:
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis does not answer on 127.0.0.1:6379, and CI=true requires it")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    settings = settings.model_copy(update={"queue_url": "redis://127.0.0.1:6379/15"})
    name = f"takedown-test-{uuid.uuid4().hex[:8]}"
    try:
        _run_a_delivery(db, settings, name=name)
    finally:
        from huey import RedisHuey

        RedisHuey(name, url=settings.queue_url).flush()
