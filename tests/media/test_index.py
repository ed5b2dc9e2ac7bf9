"""The PDQ index against brute force, with fixed seeds: exact at distance <= 31."""

from __future__ import annotations

import numpy as np
import pytest

from takedown.media.index import SMALL, Layout, PDQIndex, brute_force
from takedown.media.pdq import words_to_hex
from takedown.media.signals import SIGNAL_TYPES, PdqSignal, VpdqSignal, signal_type


def random_words(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**64 - 1, size=(n, 4), dtype=np.uint64, endpoint=True)


def flip(rng: np.random.Generator, words: np.ndarray, lo: int, hi: int) -> np.ndarray:
    bits = np.unpackbits(words.copy().view(np.uint8), axis=1)
    for row in bits:
        row[rng.choice(256, int(rng.integers(lo, hi + 1)), replace=False)] ^= 1
    return np.packbits(bits, axis=1).view(np.uint64)


def clustered(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Stored hashes in tight families, and queries at 0-40 bits from stored ones."""
    rng = np.random.default_rng(seed)
    roots = random_words(rng, n // 10)
    stored = np.vstack([flip(rng, roots, 0, 20) for _ in range(10)])
    queries = np.vstack([flip(rng, stored[rng.integers(0, n, 300)], 0, 40), random_words(rng, 100)])
    return stored, queries


LAYOUTS = [SMALL, Layout(11, 2, 12), Layout(8, 3, 10), Layout(16, 1, 12)]


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_against_brute_force(layout: Layout, seed: int) -> None:
    stored, queries = clustered(seed)
    index = PDQIndex.build(stored, layout=layout)
    for threshold in (0, 10, 31):
        qi, ids, dist = index.query_arrays(queries, threshold, batch=64)
        got = set(zip(qi.tolist(), ids.tolist(), strict=True))
        assert got == brute_force(stored, queries, threshold)
        expect = np.bitwise_count(stored[ids] ^ queries[qi]).sum(axis=1)
        assert dist.tolist() == expect.tolist()


def test_incremental_add_and_remove_match_a_fresh_build() -> None:
    rng = np.random.default_rng(7)
    stored, queries = clustered(7, 4000)
    index = PDQIndex(SMALL)
    for lo in range(0, 4000, 500):  # the first block is the main segment, the rest deltas
        index.add(stored[lo : lo + 500], range(lo, lo + 500))
    gone = set(rng.choice(4000, 700, replace=False).tolist())
    index.remove(gone)
    assert len(index) == 4000 - 700
    keep = np.array(sorted(set(range(4000)) - gone))
    qi, ids, _ = index.query_arrays(queries, 31)
    expect = {(q, int(keep[r])) for q, r in brute_force(stored[keep], queries, 31)}
    assert set(zip(qi.tolist(), ids.tolist(), strict=True)) == expect
    # re-adding a removed id with a new hash forgets the old one
    victim = int(keep[0])
    index.remove([victim])
    index.add(random_words(rng, 1), [victim])
    assert victim not in {i for i, _ in index.query(stored[victim : victim + 1])[0]}


def test_merge_keeps_answers() -> None:
    stored, queries = clustered(3, 6000)
    index = PDQIndex(SMALL, merge_ratio=0.01)
    index.add(stored[:1000], range(1000))
    index.remove(range(0, 1000, 2))
    index.add(stored[1000:], range(1000, 6000))  # large enough to merge into main
    assert index._delta is None and len(index) == 5500
    qi, ids, _ = index.query_arrays(queries, 31)
    alive = np.array([i for i in range(6000) if i >= 1000 or i % 2])
    expect = {(q, int(alive[r])) for q, r in brute_force(stored[alive], queries, 31)}
    assert set(zip(qi.tolist(), ids.tolist(), strict=True)) == expect


def test_threshold_limits_and_hex_queries() -> None:
    rng = np.random.default_rng(5)
    stored = random_words(rng, 50)
    index = PDQIndex.build(words_to_hex(stored), ids=range(100, 150))
    assert index.query(words_to_hex(stored[:2])) == [[(100, 0)], [(101, 0)]]
    with pytest.raises(ValueError, match="exact only"):
        index.query_arrays(stored, 32)
    with pytest.raises(ValueError, match="not exact"):
        Layout(8, 2, 16)
    assert PDQIndex().query(words_to_hex(stored[:1])) == [[]]


def test_signal_types_shape() -> None:
    for name, cls in SIGNAL_TYPES.items():
        assert cls.name == name
        for example in cls.examples():
            assert cls.validate(example) == example
            assert cls.compare(example, example) == 0
        index = cls.index()
        examples = cls.examples()
        index.add(examples, list(range(len(examples))))
        assert [hits[0][0] for hits in index.query(examples, cls.threshold)] == list(
            range(len(examples))
        )
    with pytest.raises(ValueError, match="unknown signal type"):
        signal_type("tmk")
    with pytest.raises(ValueError, match="invalid md5"):
        signal_type("MD5").validate("xyz")
    a, b = PdqSignal.examples()
    assert PdqSignal.compare(a, b) == 8
    far = "0" * 64
    assert VpdqSignal.compare(f"0,100,{a},0\n1,100,{far},1", f"0,100,{b},0") == 50


def test_many_matches_for_one_query() -> None:
    """More matches than the compiled loop keeps per query: the answer is still complete."""
    rng = np.random.default_rng(9)
    root = random_words(rng, 1)
    stored = np.vstack([flip(rng, np.repeat(root, 150, axis=0), 0, 12), random_words(rng, 500)])
    queries = np.vstack([root, random_words(rng, 3)])
    qi, ids, _ = PDQIndex.build(stored).query_arrays(queries, 31)
    assert set(zip(qi.tolist(), ids.tolist(), strict=True)) == brute_force(stored, queries, 31)
    assert (qi == 0).sum() >= 150
