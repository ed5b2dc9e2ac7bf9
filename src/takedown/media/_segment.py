"""Chunk tables over a block of PDQ hashes: the storage and the numpy search of ``PDQIndex``.

A ``Layout`` says how the 256 bits are cut (``chunks`` of ``bits`` bits), how far each
chunk is probed (``radius``) and how many low bits of a chunk (``tags``) are kept beside
the rows instead of indexing the buckets. A ``Segment`` of ``n`` hashes holds, per hash:

- hashes: 32 bytes, as two 16-byte halves, in the order of chunk 0's buckets;
- ids: the offset from the smallest id, in as many bits as the largest offset needs:
  ``ceil(log2 n)`` bits for ids ``0..n-1``, which is the row permutation and no more;
- rows: for each chunk after the first, each row and its tag (``ceil(log2 n) + tags``
  bits) in the order of that chunk's buckets; chunk 0 needs only its tags, since the
  hashes are already in its order;
- buckets: for each chunk, where each bucket's rows start, in records of 64 to 512 bits
  that never cross a cache line (so a probe costs one miss): a 32-bit start, then each
  bucket's distance from it in a few bits, about 8 bits per bucket when buckets hold one
  hash each. A record whose buckets hold more rows than those bits count (a bank with
  thousands of copies of one hash) spills its starts to a side list, 32 bits each.

The floor of this design: an exact multi-index table maps each value of its chunk to its
rows, a permutation of the ``n`` rows that costs about ``log2 n`` bits per hash, so ``m``
tables cost ``32 + m * log2(n) / 8`` bytes per hash (the ids being table 0's permutation).
At 1M hashes ``Layout(16, 1, 16)`` holds 32 (hashes) + 2.5 (ids) + 37.5 (rows) + 2.1
(buckets) = 74.1 bytes against a floor of 32 + 16 x 2.5 = 72; at 10M ``Layout(11, 2, 23)``
holds 32 + 3 + 30 + 9.2 = 74.2 against 32 + 11 x 2.9 = 64. Fewer tables would need a wider
radius, hence many more probes per query; tags trade bucket bytes for work per probe and
pay only in small indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

MAX_EXACT = 31
PACK_BLOCK = 1 << 20  # values packed per numpy pass, to bound the temporaries
U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]
U32 = NDArray[np.uint32]


@dataclass(frozen=True)
class Layout:
    """``chunks`` chunks of ``bits`` bits, each probed within ``radius``; the low ``tags``
    bits of a chunk are kept beside each row rather than in the bucket table (None: as many
    as leave about 8 hashes per bucket)."""

    chunks: int
    radius: int
    bits: int
    tags: int | None = None

    def __post_init__(self) -> None:
        if self.chunks * (self.radius + 1) <= MAX_EXACT:
            raise ValueError(f"layout {self} is not exact at distance {MAX_EXACT}")
        if self.chunks * self.bits > 256 or not 8 <= self.bits <= 28:
            raise ValueError(f"layout {self} does not fit in 256 bits")
        if self.tags is not None and not 0 <= self.tags < self.bits:
            raise ValueError(f"layout {self} needs 0 <= tags < bits")


SMALL = Layout(16, 1, 16)


def auto_layout(n: int) -> Layout:
    """Pick by size: up to 2M hashes, 16 chunks probed within 1 bit (the fewest probes and
    candidates: ``Layout(11, 2, 20)`` with tags would save 8 bytes per hash at 1M but runs
    at half the speed). From 2M on, 11 chunks of ``floor(log2 n)`` bits (at most 23) within
    2 bits, without tags: 1 to 2 hashes per bucket, one read per probe."""
    if n < 2_000_000:
        return SMALL
    return Layout(11, 2, min(23, n.bit_length() - 1), tags=0)


def tag_bits(n: int, layout: Layout) -> int:
    """A bucket costs about 8 bits (16 once it holds 2 hashes or more) and a tag bit 1 bit
    per hash: with tags chosen by the layout, or else about 8 hashes per bucket."""
    if layout.tags is not None:
        return layout.tags
    key = int(np.round(np.log2(max(n, 1) / 8)))
    return layout.bits - min(layout.bits, max(key, 4))


def masks(bits: int, radius: int) -> U32:
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << b for b in combo) for combo in combinations(range(bits), k))
    return np.array(out, dtype=np.uint32)


def chunk(words: U64 | tuple[U64, U64], layout: Layout, c: int) -> U32:
    """Chunk ``c`` (``layout.bits`` wide, starting at bit ``c * bits``) of each hash; the
    hashes as an ``(n, 4)`` array or as its two ``(n, 2)`` halves."""

    def column(w: int) -> U64:
        return words[w >> 1][:, w & 1] if isinstance(words, tuple) else words[:, w]

    start = c * layout.bits
    w, s = divmod(start, 64)
    mask = np.uint64((1 << layout.bits) - 1)
    val = column(w) >> np.uint64(s)
    if s + layout.bits > 64:
        val = val | (column(w + 1) << np.uint64(64 - s))
    return (val & mask).astype(np.uint32)


def argsort(keys: U32, bits: int) -> I64:
    if bits <= 16:  # numpy radix-sorts 16-bit keys when asked for a stable sort
        return np.argsort(keys.astype(np.uint16), kind="stable")
    return np.argsort(keys)


# -- packed integers ------------------------------------------------------------------
def bit_width(largest: int) -> int:
    return max(1, int(largest).bit_length())


def pack_at(out: U64, pos: U64, values: NDArray[np.integer], width: int) -> None:
    """OR ``values`` (each below ``2**width``) into the bit string ``out`` at bit
    positions ``pos`` (ascending, ``width`` apart at least)."""
    for lo in range(0, len(pos), PACK_BLOCK):
        v = np.asarray(values[lo : lo + PACK_BLOCK]).astype(np.uint64)
        at = pos[lo : lo + PACK_BLOCK]
        word = (at >> np.uint64(6)).astype(np.intp)
        shift = at & np.uint64(63)
        first = np.flatnonzero(np.diff(word, prepend=-1))  # the bits of a word are disjoint:
        out[word[first]] |= np.bitwise_or.reduceat(v << shift, first)  # OR them per word
        spill = (v >> np.uint64(1)) >> (np.uint64(63) - shift)  # v >> (64 - shift), 0 at 0
        out[word[first] + 1] |= np.bitwise_or.reduceat(spill, first)


def pack(values: NDArray[np.integer], width: int) -> U64:
    """``values`` back to back, ``width`` bits each; a spare word at the end lets a reader
    always load two words."""
    n = len(values)
    groups = n // 64  # 64 values fill exactly ``width`` words: pack a column at a time
    out = np.zeros((n * width + 63) // 64 + 1, dtype=np.uint64)
    grid = out[: groups * width].reshape(groups, width)
    v = np.asarray(values[: groups * 64]).reshape(groups, 64)
    for j in range(64):
        word, shift = divmod(j * width, 64)
        col = v[:, j].astype(np.uint64)
        grid[:, word] |= col << np.uint64(shift)
        if shift + width > 64:
            grid[:, word + 1] |= col >> np.uint64(64 - shift)
    rest = np.arange(groups * 64, n, dtype=np.uint64) * np.uint64(width)
    pack_at(out, rest, values[groups * 64 :], width)
    return out


def bits_at(packed: U64, pos: NDArray[np.integer], width: int) -> I64:
    """The ``width``-bit integers at bit positions ``pos`` of ``packed``."""
    at = np.asarray(pos, dtype=np.uint64)
    word = (at >> np.uint64(6)).astype(np.intp)
    shift = at & np.uint64(63)
    v = (packed[word] >> shift) | ((packed[word + 1] << np.uint64(1)) << (np.uint64(63) - shift))
    return (v & np.uint64((1 << width) - 1)).astype(np.int64)


def unpack(packed: U64, width: int, index: NDArray[np.integer]) -> I64:
    """The values at ``index`` of ``pack(values, width)``."""
    return bits_at(packed, np.asarray(index, dtype=np.uint64) * np.uint64(width), width)


def aligned(nwords: int) -> U64:
    """Zeroed words starting on a 64-byte cache line."""
    raw = np.zeros(nwords + 8, dtype=np.uint64)
    skip = (-raw.ctypes.data // 8) % 8
    return raw[skip : skip + nwords]


# -- bucket bounds --------------------------------------------------------------------
SPILLED = 1 << 31  # a record's sample with this bit set points into the spill list


@dataclass(frozen=True)
class Shape:
    """How one chunk's bucket bounds are stored: one record of ``words`` 64-bit words per
    ``2**shift`` values: the first value's start (32 bits), then the start of each value
    and of the next record's first, ``width`` bits each, as distances from that start."""

    shift: int
    words: int
    width: int


def starts_of(keys: U32, bits: int) -> I64:
    """Where each value's rows start in the sorted order, and ``n`` after the last."""
    out = np.zeros((1 << bits) + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=1 << bits), out=out[1:])
    return out


def choose_shape(starts: I64) -> Shape:
    """The smallest records: a record whose values hold more rows than ``width`` bits
    count spills its starts, 32 bits each, to a side list."""
    best, best_cost = Shape(0, 1, 1), None
    totals = np.diff(starts)  # rows per record of 2**shift values, shift = 0, 1, ...
    for shift in range(len(starts).bit_length()):
        step = 1 << shift
        if shift:
            if len(totals) % 2:
                break
            totals = totals[0::2] + totals[1::2]
        # how many records hold at least 2**b rows, for each b
        above = np.cumsum(np.bincount(np.frexp(totals)[1], minlength=40)[::-1])[::-1]
        for words in (1, 2, 4, 8):
            width = min(31, (64 * words - 32) // (step + 1))
            if width < 1:
                continue
            spilled = int(above[width + 1])
            cost = len(totals) * 64 * words + spilled * (step + 1) * 32
            if best_cost is None or cost < best_cost:
                best, best_cost = Shape(shift, words, width), cost
        if step + 1 > 480:
            break
    return best


def encode(starts: I64, shape: Shape, spill_base: int) -> tuple[U64, U32]:
    """One chunk's records, and the starts of its spilled records."""
    step = 1 << shape.shift
    samples = starts[:-1:step].copy()
    totals = starts[step::step] - samples
    spilled = np.flatnonzero(totals >> shape.width)
    record_bits = np.uint64(64 * shape.words)
    nrec = len(samples)
    records = np.zeros(nrec * shape.words + 1, dtype=np.uint64)
    tail = np.arange(step + 1)
    spill = starts[(spilled[:, None] * step + tail).ravel()].astype(np.uint32)
    samples[spilled] = SPILLED + spill_base + np.arange(len(spilled)) * (step + 1)
    pack_at(records, np.arange(nrec, dtype=np.uint64) * record_bits, samples, 32)
    per = max(1, PACK_BLOCK // (step + 1))
    for lo in range(0, nrec, per):
        rec = np.arange(lo, min(lo + per, nrec))
        rel = starts[rec[:, None] * step + tail] - starts[rec * step][:, None]
        rel[np.isin(rec, spilled)] = 0
        pos = rec[:, None].astype(np.uint64) * record_bits + np.uint64(32)
        pos = pos + tail.astype(np.uint64) * np.uint64(shape.width)
        pack_at(records, pos.ravel(), rel.ravel(), shape.width)
    return records[:-1], spill


def bounds(records: U64, at: int, shape: Shape, spill: U32, keys: I64) -> tuple[I64, I64]:
    """Start and end of each value's rows, from records written by ``encode`` at word
    ``at`` of ``records``."""
    block = keys >> shape.shift
    t = keys - (block << shape.shift)
    first = at + block * shape.words
    sample = (records[first] & np.uint64(2**32 - 1)).astype(np.int64)
    pos = first * 64 + 32 + t * shape.width
    starts = sample + bits_at(records, pos, shape.width)
    ends = sample + bits_at(records, pos + shape.width, shape.width)
    out = np.flatnonzero(sample >= SPILLED)
    if len(out):
        where = sample[out] - SPILLED + t[out]
        starts[out], ends[out] = spill[where], spill[where + 1]
    return starts, ends


class Segment:
    """Immutable chunk tables over a block of hashes."""

    def __init__(self, words: U64, ids: I64, layout: Layout) -> None:
        n = len(ids)
        if n >= SPILLED:
            raise ValueError(f"a segment holds fewer than 2**31 hashes, not {n:,}")
        self.n = n
        self.layout = layout
        tb = self.tag_bits = tag_bits(n, layout)
        self.key_bits = layout.bits - tb
        self.masks = masks(self.key_bits, layout.radius)
        # how far a row's tag may be from the query's once this mask's bits are flipped
        self.room = layout.radius - np.bitwise_count(self.masks).astype(np.int64)
        rows = argsort(chunk(words, layout, 0) >> np.uint32(tb), self.key_bits)
        # words 0-1 and 2-3 as 16-byte items (complex128 is numpy's fastest 16-byte gather):
        # the first gather rejects almost every candidate, the second confirms the rest
        halves = (np.take(words[:, :2], rows, axis=0), np.take(words[:, 2:], rows, axis=0))
        self.lo, self.hi = pairs(halves[0]), pairs(halves[1])
        ids = np.asarray(ids, dtype=np.int64)[rows]
        del rows
        self.id_base = int(ids.min()) if n else 0
        offsets = ids.view(np.uint64) - np.uint64(self.id_base % 2**64)
        self.id_width = bit_width(int(offsets.max()) if n else 0)
        self.id_bits = pack(offsets, self.id_width)
        del ids, offsets
        self.row_width = bit_width(n - 1)
        self.entry_width = self.row_width + tb
        self.order = np.empty(
            (layout.chunks - 1, (n * self.entry_width + 63) // 64 + 1), dtype=np.uint64
        )
        self.tags = np.zeros(2, dtype=np.uint64)
        shapes: list[Shape] = []
        tables: list[U64] = []
        spills: list[U32] = []
        spilled = 0
        for c in range(layout.chunks):
            full = chunk(halves, layout, c)
            keys, tags = full >> np.uint32(tb), full & np.uint32((1 << tb) - 1)
            del full
            if c:
                entries = argsort(keys, self.key_bits)
                entries = (entries << tb) | tags[entries]
                self.order[c - 1] = pack(entries, self.entry_width)
                del entries
            elif tb:  # chunk 0's rows are in order already: only their tags are needed
                self.tags = pack(tags, tb)
            del tags
            starts = starts_of(keys, self.key_bits)
            del keys
            shapes.append(choose_shape(starts))
            table, spill = encode(starts, shapes[-1], spilled)
            del starts
            tables.append(table)
            spills.append(spill)
            spilled += len(spill)
        # each chunk's records start on a cache line, so that no record straddles two
        self.shift = np.array([sh.shift for sh in shapes], dtype=np.int64)
        self.record_words = np.array([sh.words for sh in shapes], dtype=np.int64)
        self.width = np.array([sh.width for sh in shapes], dtype=np.int64)
        sizes = [-(-len(t) // 8) * 8 for t in tables]
        self.table_at = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        self.records = aligned(sum(sizes) + 1)
        for at, table in zip(self.table_at.tolist(), tables, strict=True):
            self.records[at : at + len(table)] = table
        self.spill = np.concatenate(spills) if spilled else np.zeros(1, np.uint32)

    @property
    def words(self) -> U64:
        return np.hstack([unpair(self.lo), unpair(self.hi)])

    @property
    def ids(self) -> I64:
        return self.ids_at(np.arange(self.n))

    def ids_at(self, rows: NDArray[np.integer]) -> I64:
        offsets = unpack(self.id_bits, self.id_width, rows).view(np.uint64)
        return (offsets + np.uint64(self.id_base % 2**64)).view(np.int64)

    def __len__(self) -> int:
        return self.n

    def parts(self) -> dict[str, int]:
        """Bytes held, by what they hold."""
        return {
            "hashes": self.lo.nbytes + self.hi.nbytes,
            "ids": self.id_bits.nbytes,
            "rows": self.order.nbytes + self.tags.nbytes,
            "buckets": self.records.nbytes + self.spill.nbytes,
        }

    @property
    def nbytes(self) -> int:
        return sum(self.parts().values())

    def bounds(self, c: int, keys: I64) -> tuple[I64, I64]:
        """Start and end of each value's rows in chunk ``c``'s order."""
        shape = Shape(int(self.shift[c]), int(self.record_words[c]), int(self.width[c]))
        return bounds(self.records, int(self.table_at[c]), shape, self.spill, keys)

    def candidates(self, queries: U64) -> tuple[I64, NDArray[np.intp]]:
        """(query index, row) pairs sharing a chunk within ``radius``; may repeat."""
        nmask = len(self.masks)
        tb = self.tag_bits
        tag_mask = np.uint32((1 << tb) - 1)
        qs: list[I64] = []
        rows: list[NDArray[np.intp]] = []
        for c in range(self.layout.chunks):
            full = chunk(queries, self.layout, c)
            probes = ((full >> np.uint32(tb))[:, None] ^ self.masks[None, :]).ravel()
            starts, ends = self.bounds(c, probes.astype(np.int64))
            counts = ends - starts
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            counts = counts[hit]
            delta = starts[hit] - (np.cumsum(counts, dtype=np.int64) - counts)
            pos = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(delta, counts)
            if c:
                entries = unpack(self.order[c - 1], self.entry_width, pos)
                found, tags = entries >> tb, entries & tag_mask
            else:
                found, tags = pos, (unpack(self.tags, tb, pos) if tb else np.zeros_like(pos))
            probe = np.repeat(hit, counts)
            qi = probe // nmask
            near = np.bitwise_count(tags ^ (full & tag_mask)[qi]) <= self.room[probe % nmask]
            rows.append(found[near].astype(np.intp))
            qs.append(qi[near])
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
