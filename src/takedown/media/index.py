"""An exact PDQ match index: multi-index hashing over chunk tables, in numpy.

Pigeonhole: split the 256 bits into ``m`` disjoint chunks and probe every value within
``r`` bits of the query's chunk. When ``m * (r + 1) > 31``, every stored hash within
distance 31 shares at least one chunk within ``r`` bits with the query, so the candidates
are a superset of the true matches; each candidate is then checked on all 256 bits. Chunks
need not cover all 256 bits (uncovered bits only add to a distance that is checked anyway).

Storage, per hash: 32 bytes (the hash), 8 (its id) and 4 per chunk (the rows sorted by chunk
value), plus one offsets table of ``2**bits + 1`` entries per chunk. Adds go to a small
delta segment that is rebuilt alone and merged into the main one when it grows past a
sixteenth of it; removals are tombstones, dropped at the next merge.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from takedown.media._kernel import CAP, kernel
from takedown.media.pdq import hex_to_words

MAX_EXACT = 31
U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Layout:
    chunks: int
    radius: int
    bits: int

    def __post_init__(self) -> None:
        if self.chunks * (self.radius + 1) <= MAX_EXACT:
            raise ValueError(f"layout {self} is not exact at distance {MAX_EXACT}")
        if self.chunks * self.bits > 256 or not 8 <= self.bits <= 26:
            raise ValueError(f"layout {self} does not fit in 256 bits")


SMALL = Layout(16, 1, 16)


def auto_layout(n: int) -> Layout:
    """Few candidates per probe without oversized tables: wider chunks for bigger indexes."""
    if n < 2_000_000:
        return SMALL
    return Layout(11, 2, int(min(23, max(18, round(np.log2(n))))))


def _masks(bits: int, radius: int) -> NDArray[np.uint32]:
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << b for b in combo) for combo in combinations(range(bits), k))
    return np.array(out, dtype=np.uint32)


def _chunk(words: U64, layout: Layout, c: int) -> NDArray[np.uint32]:
    """Chunk ``c`` (``layout.bits`` wide, starting at bit ``c * bits``) of each hash."""
    start = c * layout.bits
    w, s = divmod(start, 64)
    mask = np.uint64((1 << layout.bits) - 1)
    val = words[:, w] >> np.uint64(s)
    if s + layout.bits > 64:
        val = val | (words[:, w + 1] << np.uint64(64 - s))
    return (val & mask).astype(np.uint32)


class _Segment:
    """Immutable chunk tables over a block of hashes."""

    def __init__(self, words: U64, ids: I64, layout: Layout) -> None:
        # words 0-1 and 2-3 as 16-byte items (complex128 is numpy's fastest 16-byte gather):
        # the first gather rejects almost every candidate, the second confirms the rest
        self.lo = _pairs(words[:, :2])
        self.hi = _pairs(words[:, 2:])
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.layout = layout
        self.masks = _masks(layout.bits, layout.radius)
        size = 1 << layout.bits
        n = len(self.ids)
        self.order = np.empty((layout.chunks, n), dtype=np.uint32)
        self.offsets = np.zeros((layout.chunks, size + 1), dtype=np.uint32)
        for c in range(layout.chunks):
            keys = _chunk(words, layout, c)
            # numpy radix-sorts 16-bit keys when asked for a stable sort
            if layout.bits <= 16:
                self.order[c] = np.argsort(keys.astype(np.uint16), kind="stable")
            else:
                self.order[c] = np.argsort(keys)
            np.cumsum(np.bincount(keys, minlength=size), out=self.offsets[c, 1:])

    @property
    def words(self) -> U64:
        return np.hstack([_unpair(self.lo), _unpair(self.hi)])

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        tables = self.order.nbytes + self.offsets.nbytes
        return self.lo.nbytes + self.hi.nbytes + self.ids.nbytes + tables

    def candidates(self, queries: U64) -> tuple[I64, NDArray[np.intp]]:
        """(query index, row) pairs sharing a chunk within ``radius``; may repeat."""
        nmask = len(self.masks)
        qs: list[I64] = []
        rows: list[NDArray[np.intp]] = []
        for c in range(self.layout.chunks):
            probes = (_chunk(queries, self.layout, c)[:, None] ^ self.masks[None, :]).ravel()
            off = self.offsets[c]
            starts = off[probes]
            counts = off[probes + 1] - starts
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            counts = counts[hit]
            delta = starts[hit].astype(np.int64) - (np.cumsum(counts, dtype=np.int64) - counts)
            total = int(delta.shape[0] and counts.sum(dtype=np.int64))
            pos = np.arange(total, dtype=np.int64) + np.repeat(delta, counts)
            rows.append(self.order[c][pos].astype(np.intp))
            qs.append(np.repeat(hit // nmask, counts))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.intp)
        return np.concatenate(qs), np.concatenate(rows)


def _pairs(words: U64) -> NDArray[np.complex128]:
    return np.ascontiguousarray(words, dtype=np.uint64).view(np.complex128).ravel()


def _unpair(pairs: NDArray[np.complex128]) -> U64:
    return pairs.view(np.uint64).reshape(-1, 2)


def _within(
    seg: _Segment, q: U64, rows: NDArray[np.intp], qi: I64, threshold: int
) -> tuple[NDArray[np.intp], I64, I64]:
    """Keep the candidates within ``threshold``; 128 bits first, since random hashes
    almost never come within 31 bits on 128 of them."""
    x = np.bitwise_count(seg.lo[rows].view(np.uint64) ^ _pairs(q[:, :2])[qi].view(np.uint64))
    d = x[0::2] + x[1::2]
    keep = np.flatnonzero(d <= threshold)
    rows, qi = rows[keep], qi[keep]
    x = np.bitwise_count(seg.hi[rows].view(np.uint64) ^ _pairs(q[:, 2:])[qi].view(np.uint64))
    full = d[keep].astype(np.int64) + x[0::2] + x[1::2]
    ok = full <= threshold
    return rows[ok], qi[ok], full[ok]


class PDQIndex:
    """Exact Hamming-distance index over PDQ hashes; ids are caller-chosen int64s."""

    def __init__(self, layout: Layout | None = None, *, merge_ratio: float = 1 / 16) -> None:
        self.layout = layout
        self.merge_ratio = merge_ratio
        self._main: _Segment | None = None
        self._delta: _Segment | None = None
        self._removed: set[int] = set()

    # -- building -------------------------------------------------------------
    @classmethod
    def build(
        cls,
        hashes: U64 | list[str],
        ids: Iterable[int] | I64 | None = None,
        layout: Layout | None = None,
    ) -> PDQIndex:
        words = _as_words(hashes)
        index = cls(layout or auto_layout(len(words)))
        index.add(words, ids)
        return index

    def add(self, hashes: U64 | list[str], ids: Iterable[int] | I64 | None = None) -> None:
        words = _as_words(hashes)
        if ids is None:
            ids_arr = np.arange(len(self), len(self) + len(words), dtype=np.int64)
        else:
            ids_arr = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64)
        if len(ids_arr) != len(words):
            raise ValueError("add: as many ids as hashes are needed")
        if not len(words):
            return
        if self._removed and self._removed.intersection(ids_arr.tolist()):
            self._merge(words[:0], ids_arr[:0])  # drop the old entries before reusing an id
        if self._main is None:
            self._main = _Segment(words, ids_arr, self.layout or auto_layout(len(words)))
            return
        if self._delta is not None:
            words = np.vstack([self._delta.words, words])
            ids_arr = np.concatenate([self._delta.ids, ids_arr])
        if len(ids_arr) > max(4096, self.merge_ratio * len(self._main)):
            self._merge(words, ids_arr)
        else:
            self._delta = _Segment(words, ids_arr, SMALL)

    def remove(self, ids: Iterable[int]) -> None:
        """Forget these ids; they stop matching at once and leave memory at the next merge."""
        wanted = np.asarray(list(ids), dtype=np.int64)
        present = [s.ids for s in (self._main, self._delta) if s is not None]
        if present and len(wanted):
            found = wanted[np.isin(wanted, np.concatenate(present))]
            self._removed.update(found.tolist())

    def _merge(self, extra_words: U64, extra_ids: I64) -> None:
        segments = [s for s in (self._main, self._delta) if s is not None]
        words = np.vstack([*(s.words for s in segments), extra_words])
        ids = np.concatenate([*(s.ids for s in segments), extra_ids])
        if self._removed:
            keep = ~np.isin(ids, np.fromiter(self._removed, dtype=np.int64))
            words, ids = words[keep], ids[keep]
            self._removed.clear()
        self._delta = None
        self._main = (
            _Segment(words, ids, self.layout or auto_layout(len(ids))) if len(ids) else None
        )

    # -- querying -------------------------------------------------------------
    def query_arrays(
        self,
        queries: U64 | list[str],
        threshold: int = MAX_EXACT,
        *,
        batch: int = 1024,
        threads: int | None = None,
    ) -> tuple[I64, I64, I64]:
        """All (query index, id, distance) with distance <= threshold, sorted by query."""
        if not 0 <= threshold <= MAX_EXACT:
            raise ValueError(
                f"threshold {threshold} outside 0..{MAX_EXACT}: the index is exact only there"
            )
        q = _as_words(queries)
        if kernel() is not None:
            batch = max(batch, 16384)  # one compiled call spreads a batch over every core
        jobs = [
            (seg, lo)
            for seg in (self._main, self._delta)
            if seg is not None and len(seg)
            for lo in range(0, len(q), batch)
        ]

        def run(job: tuple[_Segment, int]) -> tuple[I64, I64, I64]:
            seg, lo = job
            return self._query_segment(seg, q[lo : lo + batch], lo, threshold)

        workers = threads if threads is not None else min(len(jobs), os.cpu_count() or 1)
        if kernel() is not None:
            workers = 1  # the compiled loop runs on every core by itself
        if workers > 1:
            # numpy releases the GIL in gathers and ufuncs, so threads share the cores
            with ThreadPoolExecutor(workers) as pool:
                out = list(pool.map(run, jobs))
        else:
            out = [run(job) for job in jobs]
        if not out:
            empty = np.zeros(0, np.int64)
            return empty, empty.copy(), empty.copy()
        qi, ids, dist = (np.concatenate(parts) for parts in zip(*out, strict=True))
        if self._removed:
            keep = ~np.isin(ids, np.fromiter(self._removed, dtype=np.int64))
            qi, ids, dist = qi[keep], ids[keep], dist[keep]
        order = np.lexsort((dist, qi))
        return qi[order], ids[order], dist[order]

    def _query_segment(
        self, seg: _Segment, q: U64, offset: int, threshold: int
    ) -> tuple[I64, I64, I64]:
        search = kernel()
        if search is not None:
            return self._query_compiled(search, seg, q, offset, threshold)
        qi, rows = seg.candidates(q)
        rows, qi, dist = _within(seg, q, rows, qi, threshold)
        # a hash found through two chunks appears twice: keep one
        key = qi.astype(np.int64) * len(seg) + rows
        _, first = np.unique(key, return_index=True)
        return qi[first] + offset, seg.ids[rows[first]], dist[first]

    def _query_compiled(
        self, search: Any, seg: _Segment, q: U64, offset: int, threshold: int
    ) -> tuple[I64, I64, I64]:
        rows, dist, found = search(
            _unpair(seg.lo),
            _unpair(seg.hi),
            seg.order,
            seg.offsets,
            seg.masks,
            seg.layout.bits,
            np.ascontiguousarray(q),
            threshold,
        )
        kept = np.minimum(found, CAP)
        qi = np.repeat(np.arange(len(q), dtype=np.int64), kept)
        r, d = (
            rows[np.arange(CAP)[None, :] < kept[:, None]],
            dist[np.arange(CAP)[None, :] < kept[:, None]],
        )
        over = np.flatnonzero(found > CAP)
        if len(over):  # rare: a query with more matches than the loop keeps
            keep = ~np.isin(qi, over)
            qi, r, d = qi[keep], r[keep], d[keep]
            sub = q[over]
            oq, orows = seg.candidates(sub)
            orows, oq, od = _within(seg, sub, orows, oq, threshold)
            _, first = np.unique(oq.astype(np.int64) * len(seg) + orows, return_index=True)
            qi = np.concatenate([qi, over[oq[first]]])
            r, d = np.concatenate([r, orows[first]]), np.concatenate([d, od[first]])
        return qi + offset, seg.ids[r], d

    def query(
        self, queries: U64 | list[str], threshold: int = MAX_EXACT
    ) -> list[list[tuple[int, int]]]:
        """For each query, its matches as (id, distance), nearest first."""
        q = _as_words(queries)
        qi, ids, dist = self.query_arrays(q, threshold)
        out: list[list[tuple[int, int]]] = [[] for _ in range(len(q))]
        for a, b, c in zip(qi.tolist(), ids.tolist(), dist.tolist(), strict=True):
            out[a].append((b, c))
        return out

    def __len__(self) -> int:
        n = sum(len(s) for s in (self._main, self._delta) if s is not None)
        return n - len(self._removed)

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in (self._main, self._delta) if s is not None)


def _as_words(hashes: Any) -> U64:
    if isinstance(hashes, np.ndarray):
        if hashes.ndim != 2 or hashes.shape[1] != 4:
            raise ValueError("hash arrays must have shape (n, 4) of uint64")
        return np.ascontiguousarray(hashes, dtype=np.uint64)
    return hex_to_words(list(hashes))


def brute_force(stored: U64, queries: U64, threshold: int) -> set[tuple[int, int]]:
    """Reference answer: every (query index, row) within threshold, by full comparison."""
    found: set[tuple[int, int]] = set()
    for i, q in enumerate(queries):
        d = np.bitwise_count(stored ^ q).sum(axis=1)
        found.update((i, int(r)) for r in np.flatnonzero(d <= threshold))
    return found
