"""An exact PDQ match index: multi-index hashing over chunk tables, in numpy.

Pigeonhole: split the 256 bits into ``m`` disjoint chunks and probe every value within
``r`` bits of the query's chunk. When ``m * (r + 1) > 31``, every stored hash within
distance 31 shares at least one chunk within ``r`` bits with the query, so the candidates
are a superset of the true matches; each candidate is then checked on all 256 bits. Chunks
need not cover all 256 bits (uncovered bits only add to a distance that is checked anyway).

Storage is described in ``_segment``: about 74 bytes per hash at 1M and at 10M, 32 of
them the hashes themselves. Adds go to a small delta segment that is rebuilt alone and
merged into the main one when it grows past a sixteenth of it; removals are tombstones,
dropped at the next merge.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from takedown.media._kernel import CAP, kernel
from takedown.media._segment import (
    I64,
    MAX_EXACT,
    SMALL,
    U64,
    Layout,
    Segment,
    auto_layout,
    unpair,
    within,
)
from takedown.media.pdq import hex_to_words

__all__ = ["MAX_EXACT", "SMALL", "Layout", "PDQIndex", "auto_layout", "brute_force"]


class PDQIndex:
    """Exact Hamming-distance index over PDQ hashes; ids are caller-chosen int64s."""

    def __init__(self, layout: Layout | None = None, *, merge_ratio: float = 1 / 16) -> None:
        self.layout = layout
        self.merge_ratio = merge_ratio
        self._main: Segment | None = None
        self._delta: Segment | None = None
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
            self._main = Segment(words, ids_arr, self.layout or auto_layout(len(words)))
            return
        if self._delta is not None:
            words = np.vstack([self._delta.words, words])
            ids_arr = np.concatenate([self._delta.ids, ids_arr])
        if len(ids_arr) > max(4096, self.merge_ratio * len(self._main)):
            self._merge(words, ids_arr)
        else:
            self._delta = Segment(words, ids_arr, SMALL)

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
        self._main = Segment(words, ids, self.layout or auto_layout(len(ids))) if len(ids) else None

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

        def run(job: tuple[Segment, int]) -> tuple[I64, I64, I64]:
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
        self, seg: Segment, q: U64, offset: int, threshold: int
    ) -> tuple[I64, I64, I64]:
        search = kernel()
        if search is not None:
            return self._query_compiled(search, seg, q, offset, threshold)
        qi, rows = seg.candidates(q)
        rows, qi, dist = within(seg, q, rows, qi, threshold)
        # a hash found through two chunks appears twice: keep one
        key = qi.astype(np.int64) * len(seg) + rows
        _, first = np.unique(key, return_index=True)
        return qi[first] + offset, seg.ids_at(rows[first]), dist[first]

    def _query_compiled(
        self, search: Any, seg: Segment, q: U64, offset: int, threshold: int
    ) -> tuple[I64, I64, I64]:
        rows, dist, found = search(
            unpair(seg.lo),
            unpair(seg.hi),
            seg.order,
            seg.entry_width,
            seg.tag_bits,
            seg.tags,
            seg.records,
            seg.table_at,
            seg.shift,
            seg.record_words,
            seg.width,
            seg.spill,
            seg.masks,
            seg.room,
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
            orows, oq, od = within(seg, sub, orows, oq, threshold)
            _, first = np.unique(oq.astype(np.int64) * len(seg) + orows, return_index=True)
            qi = np.concatenate([qi, over[oq[first]]])
            r, d = np.concatenate([r, orows[first]]), np.concatenate([d, od[first]])
        return qi + offset, seg.ids_at(r), d

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
        return sum(self.parts().values())

    def parts(self) -> dict[str, int]:
        """Bytes held, by what they hold: hashes, ids, rows (per-chunk orders), buckets."""
        out: dict[str, int] = {}
        for seg in (self._main, self._delta):
            for name, size in seg.parts().items() if seg is not None else ():
                out[name] = out.get(name, 0) + size
        return out


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
