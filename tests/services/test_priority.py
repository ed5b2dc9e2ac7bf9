"""The triage queue's stored order: kept by ``refresh_priority``, paged by cursor.

The items here come in through intake, which refreshes the items it touched; ``_report`` runs
``refresh_priority`` on them once more (it changes nothing then), so these tests are about the
queue and the refresh, whatever intake does.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from takedown.errors import UserError
from takedown.services import assessment
from takedown.services.priority import CHUNK, refresh_priority
from takedown.store.models import Item

from .conftest import QueryCounter, World


def _report(world: World, caller: str, urls: list[str], **fields: str) -> list[int]:
    ids = world.report(caller, urls, **fields)
    with world.db.session() as s:
        refresh_priority(s, ids)
    return ids


def _stored(world: World, item_id: int) -> tuple[int, datetime]:
    with world.db.session() as s:
        item = s.get(Item, item_id)
        assert item is not None
        return item.priority_band, item.last_reported_at


def _pages(world: World, caller: str = "fr_analyst", limit: int = 5) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor = None
    while True:
        with world.db.reading() as s:
            page = assessment.triage_queue(
                s, world.who[caller], world.operation(s), limit=limit, cursor=cursor
            )
        pages.append([e.item.id for e in page])
        if page.next is None:
            return pages
        cursor = page.next


def test_the_band_counts_units_once_and_the_latest_report_time_is_kept(world: World) -> None:
    early, late = "2026-11-20T08:00:00Z", "2026-11-21T09:30:00Z"
    (item,) = _report(world, "de_analyst", ["https://t.me/band_chan/1"], reported_at=early)
    assert _stored(world, item) == (3, datetime(2026, 11, 20, 8, tzinfo=UTC))
    _report(world, "fr_analyst", ["https://t.me/band_chan/1"], reported_at=late)
    _report(world, "de_analyst", ["https://t.me/band_chan/1"], reported_at=early, notes="again")
    # two units (DE twice counts once); the latest report time, not the latest received
    assert _stored(world, item) == (6, datetime(2026, 11, 21, 9, 30, tzinfo=UTC))


def test_a_watch_raises_the_items_of_its_source_at_once(world: World) -> None:
    post, other, site = _report(
        world,
        "de_analyst",
        ["https://t.me/watched_src/7", "https://t.me/quiet_src/8", "https://t.me/watched_src"],
    )
    (elsewhere,) = _report(world, "de_analyst", ["https://t.me/watched_src/9"], op="OP4")
    with world.db.session() as s:
        assessment.add_watch(
            s, world.who["de_senior"], world.operation(s), "https://t.me/watched_src"
        )
    # the channel itself and its post rise; a post of another channel and the same channel's
    # post in another operation (whose watchlist is its own) do not
    assert [_stored(world, i)[0] for i in (post, site, other, elsewhere)] == [11, 11, 3, 3]


def test_refresh_reads_and_writes_in_two_statements_per_chunk(
    world: World, queries: QueryCounter
) -> None:
    ids = world.report("de_analyst", [f"https://t.me/bulk_chan/{n}" for n in range(CHUNK + 20)])
    with world.db.session() as s:  # intake may have computed them already: start from zero
        s.connection().execute(Item.__table__.update().values(priority_band=0))
    with world.db.session() as s, queries.counting() as statements:
        assert refresh_priority(s, ids) == len(ids)
        reads_and_writes = _work(statements)
    with world.db.session() as s, queries.counting() as statements:
        assert refresh_priority(s, ids) == 0  # nothing moved: nothing written
        reads_only = _work(statements)
    assert (reads_and_writes, reads_only) == (4, 2)  # per chunk: a read, and a write if needed
    assert {_stored(world, i)[0] for i in ids} == {3}


def _work(statements: list[str]) -> int:
    return sum(1 for statement in statements if not statement.startswith("BEGIN"))


def _queue_world(world: World) -> dict[str, int]:
    """Items of every band the weights give, several at the same band and time."""
    urls = {name: f"https://t.me/q_{name}/1" for name in "abcdefghij"}
    ids = dict(zip(urls, _report(world, "de_analyst", list(urls.values())), strict=True))
    _report(world, "fr_analyst", [urls["b"], urls["c"], urls["d"]])
    _report(world, "nl_senior", [urls["c"]])
    with world.db.session() as s:
        assessment.add_watch(s, world.who["de_senior"], world.operation(s), "https://t.me/q_e")
    return ids


def test_pages_follow_the_stored_order_without_gaps_or_repeats(world: World) -> None:
    ids = _queue_world(world)
    pages = _pages(world, limit=3)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    flat = [i for p in pages for i in p]
    assert sorted(flat) == sorted(ids.values())
    assert flat == [i for p in _pages(world, limit=500) for i in p]
    # band first (watched 11, three units 9, two 6, one 3); within a band, reported the same
    # moment, the newest item first
    assert flat[:4] == [ids["e"], ids["c"], ids["d"], ids["b"]]
    assert flat[4:] == sorted((ids[n] for n in "afghij"), reverse=True)
    with world.db.reading() as s:
        entries = assessment.triage_queue(s, world.who["fr_analyst"], world.operation(s))
    top = entries[0]
    assert (top.priority, top.units, top.watched, top.matches) == (11, 1, True, 0)
    assert entries.next is None and len(entries) == 10


def test_within_a_band_the_most_recently_reported_comes_first(world: World) -> None:
    old, new = (
        _report(world, "de_analyst", [f"https://t.me/recent_chan/{n}"], reported_at=at)[0]
        for n, at in ((1, "2026-11-01T10:00:00Z"), (2, "2026-11-02T10:00:00Z"))
    )
    (again,) = _report(world, "de_analyst", ["https://t.me/recent_chan/3"])  # reported now
    _report(world, "de_analyst", ["https://t.me/recent_chan/1"], reported_at="2026-11-03T10:00:00Z")
    assert _pages(world, limit=500) == [[again, old, new]]


def test_a_cursor_keeps_its_place_while_the_queue_changes(world: World) -> None:
    ids = _queue_world(world)
    with world.db.reading() as s:
        first = assessment.triage_queue(s, world.who["fr_analyst"], world.operation(s), limit=4)
    assert [e.item.id for e in first] == [ids["e"], ids["c"], ids["d"], ids["b"]]
    # meanwhile: a new item above everything, and one of the first page assessed
    (hot,) = _report(world, "de_analyst", ["https://t.me/q_e/2"])
    world.assess("de_analyst", ids["c"], "exempt")
    with world.db.reading() as s:
        second = assessment.triage_queue(
            s, world.who["fr_analyst"], world.operation(s), limit=4, cursor=first.next
        )
    # the next page goes on where the first ended: nothing repeated, nothing skipped
    assert [e.item.id for e in second] == sorted((ids[n] for n in "afghij"), reverse=True)[:4]
    assert hot not in [e.item.id for e in second]


def test_a_page_reads_only_its_own_items(world: World) -> None:
    _queue_world(world)
    with world.db.reading() as s:
        page = assessment.triage_queue(s, world.who["fr_analyst"], world.operation(s), limit=2)
        loaded = [o for o in s.identity_map.values() if isinstance(o, Item)]
    assert len(page) == 2 and page.next is not None
    assert len(loaded) <= 3  # the page, and the one row that says another page follows


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'["3", "2026-11-01", 4]').decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_that_is_not_one_is_refused_by_name(world: World, cursor: str) -> None:
    with (
        pytest.raises(UserError, match="not a cursor of the triage queue"),
        world.db.reading() as s,
    ):
        assessment.triage_queue(s, world.who["fr_analyst"], world.operation(s), cursor=cursor)


def test_the_queue_leaves_out_what_is_not_awaiting_assessment(world: World) -> None:
    waiting, done = _report(
        world, "de_analyst", ["https://t.me/left_chan/1", "https://t.me/left_chan/2"]
    )
    world.assess("de_analyst", done)
    with world.db.reading() as s:
        states = {i: state for i, state in s.execute(select(Item.id, Item.state))}
    assert states[done] == "ready"
    assert _pages(world) == [[waiting]]


def test_an_offset_still_pages_as_before_cursors(world: World) -> None:
    _queue_world(world)
    pages = _pages(world, limit=3)
    with world.db.reading() as s:
        skipped = assessment.triage_queue(
            s, world.who["fr_analyst"], world.operation(s), limit=3, offset=3
        )
    assert [e.item.id for e in skipped] == pages[1]
    assert skipped.next is not None


def test_the_api_pages_the_queue_with_cursor_and_next(world: World, client: TestClient) -> None:
    _queue_world(world)
    url, auth = "/api/v1/operations/OP1/queue", world.bearer("fr_analyst")
    seen: list[int] = []
    params: dict[str, str] = {"limit": "4"}
    while True:
        page = client.get(url, params=params, headers=auth)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [row["item_id"] for row in body["items"]]
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    everything = client.get(url, params={"limit": "500"}, headers=auth).json()
    assert seen == [row["item_id"] for row in everything["items"]] and len(seen) == 10
    assert everything["items"][0]["priority"] == 11
    unreadable = client.get(url, params={"cursor": "bm90IGEgY3Vyc29y"}, headers=auth)
    assert unreadable.status_code == 400 and "cursor" in unreadable.json()["error"]
    malformed = client.get(url, params={"cursor": "a cursor?"}, headers=auth)
    assert malformed.status_code == 422 and "cursor" in malformed.text
