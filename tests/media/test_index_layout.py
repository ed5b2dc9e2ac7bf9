"""The PDQ index's compact storage: packed integers, bucket records (spilled or not), tag
bits and ids of any range, each checked against a plain computation with fixed seeds."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from takedown.media import index as index_module
from takedown.media._kernel import kernel
from takedown.media._segment import Shape, bounds, encode, pack, starts_of, unpack
from takedown.media.index import SMALL, Layout, PDQIndex, brute_force


def random_words(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**64 - 1, size=(n, 4), dtype=np.uint64, endpoint=True)


def flip(rng: np.random.Generator, words: np.ndarray, most: int) -> np.ndarray:
    bits = np.unpackbits(words.copy().view(np.uint8), axis=1)
    for row in bits:
        row[rng.choice(256, int(rng.integers(0, most + 1)), replace=False)] ^= 1
    return np.packbits(bits, axis=1).view(np.uint64)


@pytest.fixture(params=["numpy", "compiled"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every query runs once on the numpy path and once on the compiled loop."""
    if request.param == "numpy":
        monkeypatch.setattr(index_module, "kernel", lambda: None)
    elif kernel() is None:
        pytest.skip("numba is not installed or switched off")
    yield request.param


@pytest.mark.parametrize("width", [1, 2, 7, 8, 13, 20, 24, 31, 32, 33, 50, 63, 64])
def test_pack_round_trip(width: int) -> None:
    rng = np.random.default_rng(width)
    for n in (0, 1, 63, 64, 65, 130, 1000):
        top = 2**width - 1
        values = rng.integers(0, top, size=n, dtype=np.uint64, endpoint=True)
        got = unpack(pack(values, width), width, np.arange(n)).view(np.uint64)
        assert got.tolist() == values.tolist()


def keys_of(kind: str, rng: np.random.Generator, bits: int) -> np.ndarray:
    size = 1 << bits
    if kind == "sparse":
        return rng.integers(0, size, size // 8).astype(np.uint32)
    if kind == "dense":
        return rng.integers(0, size, size * 20).astype(np.uint32)
    # a few huge buckets among sparse ones: records that overflow spill
    heavy = rng.choice(size, 5, replace=False)
    return np.concatenate(
        [rng.integers(0, size, size // 2), np.repeat(heavy, [3000, 700, 200, 90, 40])]
    ).astype(np.uint32)


def shapes() -> Iterator[Shape]:
    for words in (1, 2, 4, 8):
        for shift in range(9):
            width = min(31, (64 * words - 32) // ((1 << shift) + 1))
            if width >= 1:
                yield Shape(shift, words, width)
                if width > 2:
                    yield Shape(shift, words, 2)  # forces spills


@pytest.mark.parametrize("kind", ["sparse", "dense", "skewed"])
def test_bucket_records_give_every_bound(kind: str) -> None:
    rng = np.random.default_rng(11)
    bits = 12
    keys = keys_of(kind, rng, bits)
    starts = starts_of(keys, bits)
    assert starts[-1] == len(keys)
    values = np.arange(1 << bits, dtype=np.int64)
    spilled_somewhere = False
    for shape in shapes():
        records, spill = encode(starts, shape, 5)
        spill = np.concatenate([np.zeros(5, np.uint32), spill])  # spills start at 5 here
        spilled_somewhere |= len(spill) > 5
        lo, hi = bounds(np.append(records, np.uint64(0)), 0, shape, spill, values)
        assert lo.tolist() == starts[:-1].tolist(), shape
        assert hi.tolist() == starts[1:].tolist(), shape
    assert spilled_somewhere


LAYOUTS = [
    SMALL,
    Layout(16, 1, 16, tags=0),
    Layout(11, 2, 20, tags=3),
    Layout(11, 2, 16, tags=6),
    Layout(8, 3, 12, tags=2),
]


def skewed(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Many exact and near copies of a few hashes among random ones, as real banks hold
    (a blank frame, a meme): some buckets hold thousands of rows."""
    rng = np.random.default_rng(seed)
    roots = random_words(rng, 4)
    copies = np.repeat(roots, [1500, 400, 60, 1], axis=0)
    stored = np.vstack([copies[:1000], flip(rng, copies[1000:], 12), random_words(rng, 2500)])
    queries = np.vstack([roots, flip(rng, stored[rng.integers(0, len(stored), 40)], 30)])
    return stored, np.vstack([queries, random_words(rng, 20)])


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_skewed_banks_stay_exact(layout: Layout, search_path: str) -> None:
    stored, queries = skewed(2)
    index = PDQIndex.build(stored, layout=layout)
    for threshold in (0, 31):
        qi, ids, dist = index.query_arrays(queries, threshold)
        assert set(zip(qi.tolist(), ids.tolist(), strict=True)) == brute_force(
            stored, queries, threshold
        )
        assert dist.tolist() == np.bitwise_count(stored[ids] ^ queries[qi]).sum(axis=1).tolist()


def test_dense_buckets_spill() -> None:
    stored, _ = skewed(3)
    seg = PDQIndex.build(stored, layout=Layout(16, 1, 16, tags=0))._main
    assert seg is not None and len(seg.spill) > 1


@pytest.mark.parametrize(
    "ids",
    [
        [-(2**63), 2**63 - 1, 0, -1, 5],
        [10**15 + 7 * i for i in range(5)],
        [-3, -2, -1, 0, 1],
    ],
)
def test_any_int64_ids_come_back(ids: list[int], search_path: str) -> None:
    rng = np.random.default_rng(4)
    stored = random_words(rng, len(ids))
    index = PDQIndex.build(stored, ids=ids)
    assert [hits[0][0] for hits in index.query(stored)] == ids
    index.remove(ids[:2])
    assert [hits[0][0] if hits else None for hits in index.query(stored)] == [None, None, *ids[2:]]


def test_dense_ids_cost_the_row_permutation_only() -> None:
    rng = np.random.default_rng(6)
    index = PDQIndex.build(random_words(rng, 5000))
    seg = index._main
    assert seg is not None
    assert seg.id_width == seg.row_width == 13  # ceil(log2(5000))
    parts = index.parts()
    assert parts["hashes"] == 32 * 5000 and sum(parts.values()) == index.nbytes


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_add_remove_and_reuse_with_every_layout(layout: Layout, search_path: str) -> None:
    rng = np.random.default_rng(8)
    stored, queries = skewed(8)
    n = len(stored)
    index = PDQIndex(layout, merge_ratio=0.2)
    order = rng.permutation(n)
    for block in np.array_split(order, 6):  # main segment, deltas, then merges
        index.add(stored[block], block.tolist())
    gone = rng.choice(n, 900, replace=False)
    index.remove(gone.tolist())
    alive = np.setdiff1d(np.arange(n), gone)
    qi, ids, _ = index.query_arrays(queries, 31)
    expect = {(q, int(alive[r])) for q, r in brute_force(stored[alive], queries, 31)}
    assert set(zip(qi.tolist(), ids.tolist(), strict=True)) == expect
    # a removed id comes back with a new hash: only the new one matches
    fresh = random_words(rng, 3)
    index.add(fresh, gone[:3].tolist())
    found = index.query(np.vstack([fresh, stored[gone[:3]]]), 0)
    assert found[:3] == [[(int(i), 0)] for i in gone[:3]]
    for i, hits in zip(gone[:3], found[3:], strict=True):
        assert int(i) not in {h for h, _ in hits}


def test_tags_must_fit_the_chunk() -> None:
    with pytest.raises(ValueError, match="tags < bits"):
        Layout(16, 1, 16, tags=16)
