"""Run the jobs: worker threads inside ``takedown serve``, or ``takedown worker`` in front.

Both use Huey's own consumer (its workers, its scheduler of periodic and delayed tasks) with
the same tasks. In a server the consumer must not take over the process's signals — uvicorn
owns Ctrl-C — so ``start_in_process`` starts the consumer's threads without its signal
handlers and hands back a ``stop()`` that shuts them down gracefully.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from huey.api import Huey
from huey.consumer import Consumer

from takedown.config import Settings
from takedown.jobs.queue import QUEUE_NAME, Jobs
from takedown.store.db import Database

log = logging.getLogger(__name__)


class ThreadConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints
    """Huey's consumer, started from any thread: it leaves the process's signals alone."""

    def _set_signal_handlers(self) -> None:
        pass


def consumer_options(settings: Settings, workers: int) -> dict[str, object]:
    return {
        "workers": workers,
        "periodic": True,
        "worker_type": "thread",
        # SQLite storage is polled: look again within a second of going idle.
        "max_delay": 1.0,
        "check_worker_health": True,
        "shutdown_timeout": settings.webhook_timeout + 5.0,
    }


def start_in_process(
    settings: Settings,
    db: Database,
    *,
    workers: int | None = None,
    name: str = QUEUE_NAME,
) -> Callable[[], None]:
    """Start ``workers`` (default ``TAKEDOWN_WORKERS``) job threads plus the scheduler here.

    Installs the commit hook that enqueues new deliveries, re-derives pending work from the
    database, and returns ``stop()``: it stops the threads (letting a running task finish),
    removes the hook and closes the queue. With 0 workers only the hook is installed: this
    process enqueues, ``takedown worker`` elsewhere runs the tasks.
    """
    count = settings.workers if workers is None else workers
    jobs = Jobs(settings, db, name=name)
    jobs.install()
    if count <= 0:
        log.info("no job workers in this process; run `takedown worker` to drain the queue")

        def stop_hook_only() -> None:
            jobs.uninstall()
            jobs.close()

        return stop_hook_only

    jobs.rederive()
    consumer = ThreadConsumer(jobs.huey, **consumer_options(settings, count))
    consumer.start()
    log.info("started %s job worker threads (queue %s)", count, _describe(jobs.huey))
    lock = threading.Lock()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        with lock:
            if stopped:
                return
            stopped = True
        jobs.uninstall()
        consumer.stop(graceful=True)
        jobs.close()
        log.info("job workers stopped")

    return stop


def run_worker(settings: Settings, db: Database, *, workers: int | None = None) -> None:
    """``takedown worker``: run the consumer in the foreground until Ctrl-C (or SIGTERM).

    The first Ctrl-C lets running tasks finish; a second one interrupts them.
    """
    count = settings.workers if workers is None else workers
    jobs = Jobs(settings, db)
    jobs.install()
    try:
        jobs.rederive()
        Consumer(jobs.huey, **consumer_options(settings, max(count, 1))).run()
    finally:
        jobs.uninstall()
        jobs.close()


def _describe(huey: Huey) -> str:
    return type(huey.storage).__name__
