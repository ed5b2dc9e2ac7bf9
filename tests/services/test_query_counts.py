"""Listings and periodic jobs make a bounded number of queries, however large the operation.

One operation is built through the services (reports from three units, evidence matched
against a bank, a watched source, assessments, referrals and their answers, removal orders
and their receipts, checks, a hold), measured, grown six-fold in the same proportions, and
measured again. A listing or a job whose number of queries moved with the data makes a query
per row somewhere: the test names it and shows the statements. Pages are larger than the
data here, so a query per row *of a page* shows as well.

A job tick is measured with the same amount of due work at both sizes (one hold to expire,
nothing past the answer window), except the recheck selection, where every referred item
is due: its selection must not ask per item either. Job ticks run in a transaction that is
rolled back, so both sizes see the same due work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.checker.model import CheckResult, Evidence, Verdict
from takedown.config import Settings
from takedown.interop import hashlists
from takedown.interop.tabular import Row
from takedown.media.hashing import hash_file
from takedown.reports.stats import all_operations_stats, operation_stats
from takedown.services import (
    assessment,
    deconfliction,
    delivery,
    items,
    referrals,
    responses,
    verification,
)
from takedown.services.banks import create_bank, import_entries
from takedown.services.evidence import evidence_file
from takedown.services.intake import EvidencePolicy, submit_reports
from takedown.services.matching import match_evidence
from takedown.services.operations import get_operation
from takedown.store.db import Database
from takedown.store.models import Evidence as EvidenceRow
from takedown.store.models import Item, Operation, Unit, utcnow

from .conftest import QueryCounter, World

SMALL, LARGE = 10, 60  # items per platform at the first and the second measurement
PAGE = 500  # larger than any listing here: every row is on the one page
ANNEX_I = {"grounds": "a", "reasons": "instructions for an attack", "redress": "VG Berlin, 1 mo"}


class _Undo(Exception):
    pass


@contextmanager
def rolled_back(db: Database) -> Iterator[Session]:
    """A session whose writes are undone: a job tick measured twice sees the same work."""
    try:
        with db.session() as session:
            yield session
            raise _Undo
    except _Undo:
        pass


def _image(path: Path, seed: int) -> Path:
    pixels = (np.random.default_rng(seed).random((16, 16, 3)) * 255).astype("uint8")
    Image.fromarray(pixels).resize((64, 64)).save(path)
    return path


def _check(item: Item, verdict: Verdict) -> CheckResult:
    return CheckResult(
        url=item.url,
        verdict=verdict,
        reason="test",
        status=404 if verdict is Verdict.REMOVED else 200,
        final_url=item.url,
        evidence=Evidence(),
        checked_at=utcnow(),
    )


class Operation_:
    """OP1, grown ``count`` items per platform at a time, always in the same proportions."""

    def __init__(self, world: World, settings: Settings, folder: Path) -> None:
        self.world, self.settings, self.folder = world, settings, folder
        self.size = 0
        folder.mkdir(parents=True, exist_ok=True)
        with world.db.session() as s:
            create_bank(s, "known", actor="test")
            op = world.operation(s)
            assessment.add_watch(s, world.who["de_senior"], op, "https://t.me/chan_1", "seen")

    def _submit(self, caller: str, rows: list[Row], evidence: bool = False) -> list[int]:
        w = self.world
        with w.db.session() as s:
            op = get_operation(s, "OP1")
            unit = s.get(Unit, w.who[caller].unit_id)
            assert unit is not None
        policy = EvidencePolicy(self.folder, self.settings.evidence_dir, 10**7)
        result = submit_reports(
            w.db,
            op,
            unit,
            rows,
            actor=w.who[caller].actor,
            source="test",
            keep_items=True,
            evidence=policy if evidence else None,
        )
        assert result.rejected == 0, result.rejections
        return [a.item_id for a in sorted(result.items, key=lambda a: a.row)]

    def grow(self, count: int) -> None:
        w, first = self.world, self.size
        ks = range(first, first + count)
        # Reports: DE reports everything, FR every other telegram item, NL every third; a
        # third of DE's telegram reports carry an image, the odd ones known content.
        tg_rows, known = [], []
        for k in ks:
            fields = {"url": f"https://t.me/chan_{k % 4}/{k}"}
            if k % 3 == 0:
                image = _image(self.folder / f"e{k}.png", k)
                fields["evidence_path"] = image.name
                if k % 2 == 1:  # an item left in the queue, with a suggestion
                    known.append(f"sha256 {hash_file(image)['sha256']}")
            tg_rows.append(Row(k + 1, fields))
        if known:
            with w.db.session() as s:
                records = hashlists.parse("te", "\n".join(known))
                import_entries(s, "known", records, actor="test", fmt="te", source="test")
        tg = self._submit("de_analyst", tg_rows, evidence=True)
        plain = [Row(r.number, {"url": r.fields["url"]}) for r in tg_rows]
        self._submit("fr_analyst", [r for r in plain if (r.number - 1) % 2 == 0])
        self._submit("nl_senior", [r for r in plain if (r.number - 1) % 3 == 0])
        yt = self._submit(
            "de_analyst",
            [Row(k + 1, {"url": f"https://www.youtube.com/watch?v=v{k:010d}"}) for k in ks],
        )
        with w.db.session() as s:  # the matching job, as it runs after the commit
            for ev in s.scalars(select(EvidenceRow).where(EvidenceRow.item_id.in_(tg))).all():
                path = evidence_file(self.settings.evidence_dir, ev.sha256)
                match_evidence(s, ev.id, path, actor="system:matcher")
        # Assessments: every even item is terrorist content (ready); the odd ones wait in the
        # queue. Referrals to telegram go out five items at a time.
        ready_tg = [i for n, i in enumerate(tg) if (first + n) % 2 == 0]
        for start in range(0, len(ready_tg), 5):
            for item_id in ready_tg[start : start + 5]:
                w.assess("de_analyst", item_id)
            with w.db.session() as s:
                outcome = referrals.refer_ready(s, w.who["de_analyst"], w.operation(s), "telegram")
                assert outcome.referral is not None
                sent = outcome.items
                responses.answer_referral(
                    s,
                    w.who["tg_agent"],
                    outcome.referral.id,
                    [
                        {"item_id": sent[0], "action": "removed"},
                        {"item_id": sent[-1], "action": "declined", "reason": "terms"},
                    ],
                )
        # Removal orders for every even youtube item, and their receipt (the pull listing).
        for n, item_id in enumerate(yt):
            if (first + n) % 2 == 0:
                w.assess("de_senior", item_id)
                with w.db.session() as s:
                    referrals.issue_removal_order(s, w.who["de_senior"], item_id, **ANNEX_I)
        with w.db.session() as s:
            responses.list_orders(s, w.who["yt_agent"], status="all", limit=PAGE)
        # Checks: half the referred items seen removed, the others online.
        with w.db.session() as s:
            for n, item_id in enumerate(ready_tg):
                item = s.get(Item, item_id)
                assert item is not None
                verdict = Verdict.REMOVED if n % 2 == 0 else Verdict.ONLINE
                verification.record_check(s, item, _check(item, verdict), actor="test")
        self.size += count


@pytest.fixture
def grown(world: World, settings: Settings, tmp_path: Path) -> Operation_:
    op = Operation_(world, settings, tmp_path / "evidence-in")
    op.grow(SMALL)
    with world.db.session() as s:  # one hold, on one item, to expire at the job's tick
        deconfliction.place_hold(
            s,
            world.who["fr_analyst"],
            "https://t.me/chan_1/1",
            reason="investigation",
            until=utcnow() + timedelta(minutes=30),
        )
    return op


Measure = Callable[[World], Any]


def _op(s: Session) -> Operation:
    return get_operation(s, "OP1")


def _first_item(s: Session) -> Item:
    """The first telegram item: reported by all three units."""
    return items.get_item(s, s.scalars(select(Item.id).order_by(Item.id)).first() or 0)


def _reading(fn: Callable[[Session, World], Any]) -> Measure:
    def run(world: World) -> Any:
        with world.db.reading() as s:
            return fn(s, world)

    return run


def _tick(fn: Callable[[Session, World], Any]) -> Measure:
    def run(world: World) -> Any:
        with rolled_back(world.db) as s:
            return fn(s, world)

    return run


LATER = timedelta(hours=2)  # past the hold's expiry and every referred item's first recheck

LISTINGS: dict[str, Measure] = {
    "triage_queue": _reading(
        lambda s, w: assessment.triage_queue(s, w.who["de_analyst"], _op(s), limit=PAGE)
    ),
    "list_items": _reading(lambda s, w: items.list_items(s, _op(s).id, limit=PAGE)),
    "list_items by state": _reading(
        lambda s, w: items.list_items(s, _op(s).id, state="referred", limit=PAGE)
    ),
    "item_view": _reading(lambda s, w: items.item_view(s, _first_item(s), w.who["auditor"])),
    "operation_stats": _reading(lambda s, w: operation_stats(s, _op(s))),
    "all_operations_stats": _reading(lambda s, w: all_operations_stats(s)),
    "list_deliveries": _reading(
        lambda s, w: [
            delivery.delivery_view(s, d)
            for d in delivery.list_deliveries(s, w.who["de_admin"], limit=PAGE)
        ]
    ),
}
PLATFORM_LISTINGS: dict[str, Measure] = {
    "platform list_referrals": _reading(
        lambda s, w: responses.list_referrals(s, w.who["tg_agent"], status="all", limit=PAGE)
    ),
    "platform list_orders": _tick(  # a write (receipts); every order was received already
        lambda s, w: responses.list_orders(s, w.who["yt_agent"], status="all", limit=PAGE)
    ),
}
JOBS: dict[str, Measure] = {
    "due_deliveries": _tick(lambda s, w: delivery.due_deliveries(s, utcnow() + LATER)),
    "due_for_recheck": _tick(
        lambda s, w: verification.due_for_recheck(s, now=utcnow() + LATER, limit=PAGE)
    ),
    "expire_holds": _tick(lambda s, w: deconfliction.expire_holds(s, utcnow() + LATER)),
    "close_unanswered_referrals": _tick(
        lambda s, w: referrals.close_unanswered_referrals(s, timedelta(days=7), utcnow())
    ),
}
SLOW_JOBS: dict[str, Measure] = {  # every order received within the hour: none overdue yet
    "check_overdue_orders": _tick(lambda s, w: referrals.check_overdue_orders(s, utcnow())),
}


def _counts(world: World, queries: QueryCounter, measures: dict[str, Measure]) -> dict[str, Any]:
    out = {}
    for name, measure in measures.items():
        with queries.counting() as statements:
            result = measure(world)
        out[name] = (len(statements), list(statements), result)
    return out


def _assert_bounded(small: dict[str, Any], large: dict[str, Any]) -> None:
    grew = {
        name: (small[name][0], large[name][0]) for name in small if small[name][0] != large[name][0]
    }
    assert not grew, "queries grew with the data: " + "; ".join(
        f"{name}: {a} → {b} queries, e.g. {large[name][1][-1][:200]!r}"
        for name, (a, b) in grew.items()
    )


@pytest.mark.slow
def test_listings_and_job_ticks_ask_a_bounded_number_of_queries(
    grown: Operation_, world: World, queries: QueryCounter
) -> None:
    measures = LISTINGS | JOBS
    small = _counts(world, queries, measures)
    grown.grow(LARGE - SMALL)
    large = _counts(world, queries, measures)
    # the data did grow where it is listed
    queue_small, queue_large = small["triage_queue"][2], large["triage_queue"][2]
    assert len(queue_small) == SMALL and len(queue_large) == LARGE  # odd tg and yt items
    assert len(large["due_for_recheck"][2]) > len(small["due_for_recheck"][2]) > 0
    assert large["expire_holds"][2] == small["expire_holds"][2] == 1
    taken_offline = [c["operation_stats"][2]["taken_offline"] for c in (small, large)]
    assert 0 < taken_offline[0] < taken_offline[1]
    assert large["operation_stats"][2]["time_to_removal"]["by_1h"] == taken_offline[1]
    _assert_bounded(small, large)


@pytest.mark.slow
def test_platform_pull_listings_and_the_overdue_job_ask_a_bounded_number_of_queries(
    grown: Operation_, world: World, queries: QueryCounter
) -> None:
    measures = PLATFORM_LISTINGS | SLOW_JOBS
    small = _counts(world, queries, measures)
    grown.grow(LARGE - SMALL)
    large = _counts(world, queries, measures)
    assert len(large["platform list_orders"][2][0]) > len(small["platform list_orders"][2][0])
    _assert_bounded(small, large)
