"""The tasks with Huey in immediate mode: enqueued after commit, by id; re-derived at start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from takedown.config import Settings
from takedown.jobs.queue import Jobs, build_huey
from takedown.services import deconfliction
from takedown.services.delivery import retry_delivery
from takedown.store.db import Database
from takedown.store.models import utcnow
from takedown.store.referrals import Delivery

from ..delivery.helpers import delivery, make_world, refer, webhook_server


@pytest.fixture
def jobs(settings: Settings, db: Database) -> Iterator[Jobs]:
    jobs = Jobs(settings, db, immediate=True)
    jobs.install()
    yield jobs
    jobs.uninstall()


def test_a_committed_referral_is_delivered_through_the_queue(db: Database, jobs: Jobs) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url, email=None)
        [delivery_id] = refer(db, world)  # the commit hook enqueued deliver(id)
    assert len(receiver.requests) == 1
    assert delivery(db, delivery_id).status == "delivered"


def test_nothing_is_enqueued_for_a_rolled_back_transaction(db: Database, jobs: Jobs) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        with pytest.raises(RuntimeError), db.session() as s:
            from takedown.services import operations, referrals

            op = operations.get_operation(s, world.operation_id)
            assert referrals.refer_items(s, world.analyst, op, "telegram") is not None
            raise RuntimeError("abort")
    assert receiver.requests == []
    with db.session() as s:
        assert s.scalars(select(Delivery)).all() == []


def test_start_up_rederives_pending_deliveries(db: Database, settings: Settings) -> None:
    """Deliveries committed while no worker ran are sent when one starts."""
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url, email="abuse@telegram.example")
        ids = refer(db, world)  # no hook installed: as if the queue lost the messages
        assert len(ids) == 2
        assert receiver.requests == []
        settings = settings.model_copy(update={"delivery_backend": "real"})
        jobs = Jobs(settings, db, immediate=True)
        assert jobs.rederive() == 2
    assert len(receiver.requests) == 1  # the webhook; the email failed (no SMTP server)
    statuses = {delivery(db, i).channel: delivery(db, i).status for i in ids}
    assert statuses == {"webhook": "delivered", "email": "pending"}


def test_the_sweep_sends_due_retries_only(db: Database, settings: Settings) -> None:
    with webhook_server() as receiver:
        receiver.script = [(500, {})]
        world = make_world(db, webhook_url=receiver.url)
        jobs = Jobs(settings, db, immediate=True)
        jobs.install()
        [delivery_id] = refer(db, world)  # first attempt: 500
        jobs.uninstall()
        assert delivery(db, delivery_id).status == "pending"
        jobs.sweep()  # the retry is not due yet
        assert len(receiver.requests) == 1
        with db.session() as s:  # time passes
            s.execute(
                Delivery.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
        jobs.sweep()
    assert len(receiver.requests) == 2
    assert delivery(db, delivery_id).status == "delivered"


def test_an_operator_retry_of_a_dead_delivery_is_sent_after_commit(
    db: Database, settings: Settings, jobs: Jobs
) -> None:
    with webhook_server() as receiver:
        receiver.script = [(500, {})] * 3
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        for _ in range(2):
            with db.session() as s:
                s.execute(Delivery.__table__.update().values(next_attempt_at=utcnow()))
            jobs.sweep()
        assert delivery(db, delivery_id).status == "dead"
        with db.session() as s:
            retry_delivery(s, world.admin, delivery_id)
    assert len(receiver.requests) == 4
    row = delivery(db, delivery_id)
    assert (row.status, row.attempts) == ("delivered", 1)


def test_periodic_jobs_expire_holds(db: Database, jobs: Jobs) -> None:
    world = make_world(db, assess=False)
    with db.session() as s:
        hold = deconfliction.place_hold(
            s,
            world.analyst,
            "https://t.me/lorem_ipsum_chan/12",
            reason="lorem",
            until=utcnow() + timedelta(hours=1),
        )
        hold_id = hold.id
    jobs.expire_holds()
    with db.session() as s:
        assert s.get(type(hold), hold_id).released_at is None  # type: ignore[union-attr]
        s.execute(type(hold).__table__.update().values(until=utcnow() - timedelta(seconds=1)))
    jobs.expire_holds()
    jobs.check_overdue_orders()
    with db.session() as s:
        assert s.get(type(hold), hold_id).released_at is not None  # type: ignore[union-attr]


def test_the_queue_url_chooses_the_storage(settings: Settings) -> None:
    sqlite = build_huey(settings)
    assert type(sqlite).__name__ == "SqliteHuey"
    assert str(settings.data_dir.resolve() / "queue.db") == sqlite.storage.filename
    redis = build_huey(settings.model_copy(update={"queue_url": "redis://127.0.0.1:6379/15"}))
    assert type(redis).__name__ == "RedisHuey"
