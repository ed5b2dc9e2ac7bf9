"""Optional compiled search loop for ``PDQIndex``, used when numba is installed.

The numpy path builds several temporary arrays per candidate (probe keys, positions, row
ids, gathered words); this loop visits each candidate once, in cache, and runs over queries
on every core. It gives exactly the numpy path's answers (the tests compare them).
``use_numba(False)`` turns it off for the process (the application calls it with
``TAKEDOWN_MEDIA_NUMBA``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

CAP = 64  # matches per query kept by the loop; a query with more is redone in numpy
BUF = 4096  # candidate row ids gathered before their distances are checked


def _build() -> Callable[..., Any] | None:
    if not _enabled:
        return None
    try:
        numba = importlib.import_module("numba")
    except ImportError:
        return None
    u = np.uint64
    m1, m2, m4, h01 = (
        u(0x5555555555555555),
        u(0x3333333333333333),
        u(0x0F0F0F0F0F0F0F0F),
        u(0x0101010101010101),
    )
    one, two, four, s56 = u(1), u(2), u(4), u(56)

    @numba.njit(inline="always")  # type: ignore[untyped-decorator]
    def popcount(x: Any) -> Any:
        x = x - ((x >> one) & m1)
        x = (x & m2) + ((x >> two) & m2)
        x = (x + (x >> four)) & m4
        return (x * h01) >> s56

    @numba.njit(inline="always")  # type: ignore[untyped-decorator]
    def check(  # pragma: no cover - compiled
        lo: Any,
        hi: Any,
        buf: Any,
        nb: int,
        q: Any,
        threshold: int,
        i: int,
        n: int,
        rows: Any,
        dist: Any,
    ) -> int:
        """Distance-check the gathered candidates of query i; returns its new match count."""
        for j in range(nb):
            r = buf[j]
            d = popcount(lo[r, 0] ^ q[0]) + popcount(lo[r, 1] ^ q[1])
            if d > threshold:
                continue
            d += popcount(hi[r, 0] ^ q[2]) + popcount(hi[r, 1] ^ q[3])
            if d > threshold:
                continue
            seen = False
            for t in range(min(n, CAP)):
                if rows[i, t] == r:
                    seen = True
                    break
            if not seen:
                if n < CAP:
                    rows[i, n] = r
                    dist[i, n] = d
                n += 1
        return n

    @numba.njit(inline="always")  # type: ignore[untyped-decorator]
    def near(  # pragma: no cover - compiled
        buf: Any, probe: Any, nb: int, tag_bits: int, qtag: Any, room: Any
    ) -> int:
        """Keep the gathered (row, tag) entries whose tag is close enough to the query's
        for the probe that found them; leaves their rows at the front of buf. A separate
        pass over cached data, so that the gathering loop's stores never wait on a load."""
        if tag_bits == 0:
            return nb
        tagmask = (np.int64(1) << tag_bits) - 1
        m = 0
        for x in range(nb):
            e = buf[x]
            buf[m] = e >> tag_bits
            m += popcount(u((e & tagmask) ^ qtag)) <= room[probe[x]]
        return m

    @numba.njit(inline="always")  # type: ignore[untyped-decorator]
    def bits_at(packed: Any, pos: Any, width: Any) -> Any:  # pragma: no cover - compiled
        """The ``width``-bit integer at bit ``pos`` of a packed bit string."""
        at = u(pos)
        word = np.int64(at >> u(6))
        sh = at & u(63)
        v = (packed[word] >> sh) | ((packed[word + 1] << one) << (u(63) - sh))
        return np.int64(v & ((one << u(width)) - one))

    @numba.njit(parallel=True, nogil=True, cache=True)  # type: ignore[untyped-decorator]
    def search(  # pragma: no cover - compiled
        lo: Any,
        hi: Any,
        order: Any,
        entry_width: int,
        tag_bits: int,
        tags: Any,
        records: Any,
        table_at: Any,
        shifts: Any,
        record_words: Any,
        widths: Any,
        spill: Any,
        masks: Any,
        room: Any,
        bits: int,
        queries: Any,
        threshold: int,
    ) -> Any:
        # Three passes per query and chunk (bucket bounds, row ids, distances), each a run
        # of independent loads, so the CPU overlaps the cache misses instead of waiting.
        nq = queries.shape[0]
        chunks = shifts.shape[0]
        nmask = masks.shape[0]
        stride = order.shape[1] * 64  # bits per chunk's packed rows
        rows = np.empty((nq, CAP), np.int64)
        dist = np.empty((nq, CAP), np.int64)
        found = np.zeros(nq, np.int64)
        keymask = u((1 << bits) - 1)
        tagmask = np.int64((1 << tag_bits) - 1)
        low32 = u(0xFFFFFFFF)
        spilled = np.int64(1 << 31)
        blocks = min(nq, 256)
        flat = order.ravel()
        for b in numba.prange(blocks):
            starts = np.empty(nmask, np.int64)
            ends = np.empty(nmask, np.int64)
            buf = np.empty(BUF, np.int64)
            probe = np.empty(BUF, np.int64)
            for i in range(b * nq // blocks, (b + 1) * nq // blocks):
                q = queries[i]
                n = 0
                for c in range(chunks):
                    start = c * bits
                    w = start // 64
                    s = start % 64
                    val = q[w] >> u(s)
                    if s + bits > 64:
                        val = val | (q[w + 1] << u(64 - s))
                    key = (val & keymask) >> u(tag_bits)
                    qtag = np.int64(val) & tagmask
                    shift = shifts[c]
                    width = widths[c]
                    low = (np.int64(1) << shift) - 1
                    for v in range(nmask):
                        k = np.int64(key ^ u(masks[v]))
                        t = k & low
                        first = table_at[c] + (k >> shift) * record_words[c]
                        sample = np.int64(records[first] & low32)
                        if sample < spilled:  # one cache line holds both bounds
                            both = bits_at(records, first * 64 + 32 + t * width, 2 * width)
                            starts[v] = sample + (both & ((1 << width) - 1))
                            ends[v] = sample + (both >> width)
                        else:
                            at = sample - spilled + t
                            starts[v] = np.int64(spill[at])
                            ends[v] = np.int64(spill[at + 1])
                    base = (c - 1) * stride
                    nb = 0
                    for v in range(nmask):
                        for p in range(starts[v], ends[v]):
                            if c:
                                buf[nb] = bits_at(flat, base + p * entry_width, entry_width)
                            else:  # the rows are in chunk 0's order: only tags are stored
                                buf[nb] = (p << tag_bits) | bits_at(tags, p * tag_bits, tag_bits)
                            probe[nb] = v
                            nb += 1
                            if nb == BUF:
                                nb = near(buf, probe, nb, tag_bits, qtag, room)
                                n = check(lo, hi, buf, nb, q, threshold, i, n, rows, dist)
                                nb = 0
                    nb = near(buf, probe, nb, tag_bits, qtag, room)
                    n = check(lo, hi, buf, nb, q, threshold, i, n, rows, dist)
                found[i] = n
        return rows, dist, found

    def run(*args: Any) -> Any:
        # hand out blocks a few at a time: a thread slowed by other processes then takes
        # fewer of them instead of holding up the whole batch
        with numba.parallel_chunksize(4):
            return search(*args)

    return run


_search: Callable[..., Any] | None = None
_tried = False
_enabled = True


def use_numba(enabled: bool) -> None:
    """Switch the compiled search on (when numba is installed) or off for this process."""
    global _enabled, _search, _tried
    if enabled != _enabled:
        _enabled, _search, _tried = enabled, None, False


def kernel() -> Callable[..., Any] | None:
    """The compiled search, or None when numba is missing or switched off."""
    global _search, _tried
    if not _tried:
        _tried = True
        _search = _build()
    return _search
