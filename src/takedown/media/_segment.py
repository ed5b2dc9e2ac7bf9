"""Chunk tables over a block of PDQ hashes: the storage and the numpy search of ``PDQIndex``.

A ``Layout`` says how the 256 bits are cut (``chunks`` of ``bits`` bits) and how far each
chunk is probed (``radius``). A ``Segment`` holds the hashes (as two 16-byte halves), the
rows sorted by each chunk's value and, per chunk, where each value's rows start.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

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


def masks(bits: int, radius: int) -> NDArray[np.uint32]:
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << b for b in combo) for combo in combinations(range(bits), k))
    return np.array(out, dtype=np.uint32)


def chunk(words: U64, layout: Layout, c: int) -> NDArray[np.uint32]:
    """Chunk ``c`` (``layout.bits`` wide, starting at bit ``c * bits``) of each hash."""
    start = c * layout.bits
    w, s = divmod(start, 64)
    mask = np.uint64((1 << layout.bits) - 1)
    val = words[:, w] >> np.uint64(s)
    if s + layout.bits > 64:
        val = val | (words[:, w + 1] << np.uint64(64 - s))
    return (val & mask).astype(np.uint32)


class Segment:
    """Immutable chunk tables over a block of hashes."""

    def __init__(self, words: U64, ids: I64, layout: Layout) -> None:
        # words 0-1 and 2-3 as 16-byte items (complex128 is numpy's fastest 16-byte gather):
        # the first gather rejects almost every candidate, the second confirms the rest
        self.lo = pairs(words[:, :2])
        self.hi = pairs(words[:, 2:])
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.layout = layout
        self.masks = masks(layout.bits, layout.radius)
        size = 1 << layout.bits
        n = len(self.ids)
        self.order = np.empty((layout.chunks, n), dtype=np.uint32)
        self.offsets = np.zeros((layout.chunks, size + 1), dtype=np.uint32)
        for c in range(layout.chunks):
            keys = chunk(words, layout, c)
            # numpy radix-sorts 16-bit keys when asked for a stable sort
            if layout.bits <= 16:
                self.order[c] = np.argsort(keys.astype(np.uint16), kind="stable")
            else:
                self.order[c] = np.argsort(keys)
            np.cumsum(np.bincount(keys, minlength=size), out=self.offsets[c, 1:])

    @property
    def words(self) -> U64:
        return np.hstack([unpair(self.lo), unpair(self.hi)])

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
            probes = (chunk(queries, self.layout, c)[:, None] ^ self.masks[None, :]).ravel()
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


def pairs(words: U64) -> NDArray[np.complex128]:
    return np.ascontiguousarray(words, dtype=np.uint64).view(np.complex128).ravel()


def unpair(pairs: NDArray[np.complex128]) -> U64:
    return pairs.view(np.uint64).reshape(-1, 2)


def within(
    seg: Segment, q: U64, rows: NDArray[np.intp], qi: I64, threshold: int
) -> tuple[NDArray[np.intp], I64, I64]:
    """Keep the candidates within ``threshold``; 128 bits first, since random hashes
    almost never come within 31 bits on 128 of them."""
    x = np.bitwise_count(seg.lo[rows].view(np.uint64) ^ pairs(q[:, :2])[qi].view(np.uint64))
    d = x[0::2] + x[1::2]
    keep = np.flatnonzero(d <= threshold)
    rows, qi = rows[keep], qi[keep]
    x = np.bitwise_count(seg.hi[rows].view(np.uint64) ^ pairs(q[:, 2:])[qi].view(np.uint64))
    full = d[keep].astype(np.int64) + x[0::2] + x[1::2]
    ok = full <= threshold
    return rows[ok], qi[ok], full[ok]
