"""The Huey queue and the tasks: ids in, service calls out.

``Jobs`` builds the Huey instance from the settings (``SqliteHuey`` at DATA_DIR/queue.db by
default, ``RedisHuey`` for ``TAKEDOWN_QUEUE_URL=redis://…``) and registers the tasks on it:

- ``deliver(delivery_id)``: one attempt of one outbox row (takedown.delivery.outbox);
- ``match_evidence(evidence_id)``: hash new evidence and match it against the banks;
- every minute: ``sweep`` (enqueue due deliveries: retries, and anything a queue lost),
  ``expire_holds``, ``check_overdue_orders`` and ``close_unanswered_referrals`` (referrals
  past the answer window close, their silent items counted as unanswered);
- every ``recheck_every_minutes``: ``recheck_due_items`` (verification after referral on the
  schedule of takedown.domain.rechecks).

``install()`` adds a commit hook to the database, so a committed delivery is enqueued at
once, by id. ``rederive()`` enqueues the pending work the database knows of: the database
is the source of truth, the queue only a way to get to it sooner.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from takedown.config import Settings
from takedown.delivery.outbox import deliver
from takedown.errors import UserError
from takedown.services.deconfliction import expire_holds
from takedown.services.delivery import due_deliveries, pending_deliveries
from takedown.services.evidence import evidence_file
from takedown.services.matching import match_evidence
from takedown.services.referrals import check_overdue_orders, close_unanswered_referrals
from takedown.services.verification import due_for_recheck, verify_items
from takedown.store.db import Database
from takedown.store.models import Evidence, Signal, utcnow

log = logging.getLogger(__name__)
QUEUE_NAME = "takedown"


def build_huey(settings: Settings, *, name: str = QUEUE_NAME, immediate: bool = False) -> Huey:
    """The Huey instance for ``resolved_queue_url``; ``immediate`` runs tasks in the caller."""
    url = settings.resolved_queue_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False, immediate=immediate)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not immediate:
            path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, immediate=immediate)
    raise UserError(
        f"TAKEDOWN_QUEUE_URL={url!r} is not a queue: use redis://host:6379/0 or leave it unset"
    )


class Jobs:
    """The tasks of one process, bound to its database and settings."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        huey: Huey | None = None,
        name: str = QUEUE_NAME,
        immediate: bool = False,
    ) -> None:
        self.settings = settings
        self.db = db
        self.huey = huey or build_huey(settings, name=name, immediate=immediate)
        every_minute = crontab(minute="*")
        self.deliver = self.huey.task(name="deliver")(self._deliver)
        self.match_evidence = self.huey.task(name="match_evidence")(self._match_evidence)
        self.sweep = self.huey.periodic_task(every_minute, name="sweep_deliveries")(self._sweep)
        self.expire_holds = self.huey.periodic_task(every_minute, name="expire_holds")(
            self._expire_holds
        )
        self.check_overdue_orders = self.huey.periodic_task(every_minute, name="overdue_orders")(
            self._check_overdue_orders
        )
        self.close_unanswered = self.huey.periodic_task(every_minute, name="close_unanswered")(
            self._close_unanswered
        )
        minutes = settings.recheck_every_minutes
        if minutes > 0:  # 0: no automatic rechecks (run `takedown verify` by hand)
            self.huey.periodic_task(crontab(minute=f"*/{minutes}"), name="recheck_due_items")(
                self._recheck
            )

    # -- tasks: each receives ids (or nothing) and calls one service function ----------------

    def _deliver(self, delivery_id: int) -> None:
        attempt = deliver(self.db, delivery_id, self.settings)
        if attempt.status == "pending" and attempt.next_attempt_at is not None:
            self.enqueue_delivery(delivery_id, attempt.next_attempt_at)

    def _match_evidence(self, evidence_id: int) -> None:
        """Hash one evidence file, store its signals and match them against the banks."""
        with self.db.session() as session:
            evidence = session.get(Evidence, evidence_id)
            if evidence is None or _has_signals(session, evidence_id):
                return  # gone, or matched already (a re-derived duplicate)
            path = evidence_file(self.settings.evidence_dir, evidence.sha256)
            match_evidence(session, evidence_id, path, actor="system:matcher")

    def _sweep(self) -> None:
        with self.db.session() as session:
            ids = due_deliveries(session, utcnow())
        for delivery_id in ids:
            self.deliver(delivery_id)

    def _expire_holds(self) -> None:
        with self.db.session() as session:
            expired = expire_holds(session)
        if expired:
            log.info("released %s expired holds", expired)

    def _check_overdue_orders(self) -> None:
        with self.db.session() as session:
            late = check_overdue_orders(session)
        if late:
            log.warning("%s removal orders are overdue", len(late))

    def _close_unanswered(self) -> None:
        with self.db.session() as session:
            closed = close_unanswered_referrals(session, self.settings.answer_window)
        if closed:
            log.info("closed %s referrals past the answer window", len(closed))

    def _recheck(self, limit: int = 500, now: datetime | None = None) -> None:
        """Check the items whose scheduled recheck is due, and record what was seen."""
        with self.db.session() as session:
            due = due_for_recheck(session, now=now, limit=limit)
        if due:
            checks = verify_items(self.db, due, self.settings.checker_settings())
            log.info("rechecked %s items", len(checks))

    # -- enqueueing ---------------------------------------------------------------------------

    def enqueue_delivery(self, delivery_id: int, at: datetime | None = None) -> None:
        """Enqueue one attempt now, or at ``at`` (a scheduled retry)."""
        wait = (at - utcnow()).total_seconds() if at is not None else 0.0
        if wait > 0 and not self.huey.immediate:
            self.deliver.schedule((delivery_id,), delay=wait)
        elif wait <= 0:
            self.deliver(delivery_id)
        # immediate mode with a future retry: the sweep picks it up when it is due

    def on_commit(self, topic: str, ids: list[int]) -> None:
        """The database commit hook: enqueue what the transaction queued, by id."""
        if topic == "evidence":
            for evidence_id in ids:
                try:
                    self.match_evidence(evidence_id)
                except Exception:  # committed; re-derived at the next start
                    log.exception("could not enqueue matching of evidence %s", evidence_id)
            return
        if topic != "deliveries":
            return
        for delivery_id in ids:
            try:
                self.enqueue_delivery(delivery_id)
            except Exception:  # the row is committed; the sweep or a restart will find it
                log.exception("could not enqueue delivery %s; the sweep will retry", delivery_id)

    def install(self) -> None:
        if self.on_commit not in self.db.commit_hooks:
            self.db.commit_hooks.append(self.on_commit)

    def uninstall(self) -> None:
        if self.on_commit in self.db.commit_hooks:
            self.db.commit_hooks.remove(self.on_commit)

    def rederive(self) -> int:
        """Enqueue the pending work the database holds; returns the deliveries enqueued.

        Every pending delivery is enqueued (due ones now, the others at their next attempt),
        and the deadline and hold jobs run once, so a killed worker loses nothing.
        """
        with self.db.session() as session:
            pending = pending_deliveries(session)
            unmatched = list(
                session.scalars(
                    select(Evidence.id).where(~exists().where(Signal.evidence_id == Evidence.id))
                )
            )
        for delivery_id, at in pending:
            self.enqueue_delivery(delivery_id, at)
        for evidence_id in unmatched:
            self.match_evidence(evidence_id)
        self.check_overdue_orders()
        self.expire_holds()
        if pending:
            log.info("re-derived %s pending deliveries from the database", len(pending))
        return len(pending)

    def close(self) -> None:
        storage: Any = self.huey.storage
        close = getattr(storage, "close", None)
        if callable(close):
            close()


def _has_signals(session: Session, evidence_id: int) -> bool:
    return (
        session.scalar(select(Signal.id).where(Signal.evidence_id == evidence_id).limit(1))
        is not None
    )


def rederive(db: Database, settings: Settings) -> int:
    """Start-up re-derivation for a process that does not keep a ``Jobs`` around."""
    jobs = Jobs(settings, db)
    try:
        return jobs.rederive()
    finally:
        jobs.close()
