"""PDQ index benchmark: takedown's numpy index beside python-threatexchange's (HMA's) index.

    .venv/bin/python bench/pdq_index.py                 # 100k and 1M side by side, 10M ours
    .venv/bin/python bench/pdq_index.py --sizes 100000  # a quick look
    .venv/bin/python bench/pdq_index.py --sizes 10000000 --only ours

Both indexes use every core (faiss through OpenMP, ours through numba's threads or numpy
releasing the GIL); ``queries_per_cpu_s`` divides by the CPU time all threads spent, which
other processes on a shared machine disturb less than wall time. Each (index, size) runs in a fresh subprocess, so resident memory is its own. Stored hashes are
random 256-bit values (seeded); the 10,000 queries are half stored hashes with 10-31 bits
flipped, half random. Recall counts the planted targets found; at sizes up to 100k the full
answer is also compared with brute force. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from takedown.media.index import Layout, PDQIndex, brute_force  # noqa: E402
from takedown.media.pdq import words_to_hex  # noqa: E402

QUERIES = 10_000
THRESHOLD = 31


def rss_mib() -> float:
    """Resident memory now, after handing freed heap back to the system (glibc's
    malloc_trim), so that both indexes are measured without allocator slack."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dataset(n: int, seed: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    stored = rng.integers(0, 2**64 - 1, size=(n, 4), dtype=np.uint64, endpoint=True)
    half = QUERIES // 2
    targets = rng.integers(0, n, half)
    bits = np.unpackbits(stored[targets].view(np.uint8), axis=1)
    for i in range(half):
        flips = rng.choice(256, int(rng.integers(10, 32)), replace=False)
        bits[i, flips] ^= 1
    planted = np.packbits(bits, axis=1).view(np.uint64)
    noise = rng.integers(0, 2**64 - 1, size=(QUERIES - half, 4), dtype=np.uint64, endpoint=True)
    return stored, np.vstack([planted, noise]), targets


def run_ours(n: int, threads: int | None, layout: Layout | None = None) -> dict[str, Any]:
    stored, queries, targets = dataset(n)
    base = rss_mib()
    t0 = time.perf_counter()
    index = PDQIndex.build(stored, layout=layout)
    build = time.perf_counter() - t0
    held = rss_mib() - base
    index.query_arrays(queries[:200], THRESHOLD, threads=threads)  # warm up
    t0, c0 = time.perf_counter(), time.process_time()
    qi, ids, _dist = index.query_arrays(queries, THRESHOLD, threads=threads)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    found = set(zip(qi.tolist(), ids.tolist(), strict=True))
    out = {
        "layout": str(index.layout),
        "tag_bits": index._main.tag_bits if index._main else 0,
        "bytes_per_hash": round(index.nbytes / n, 1),
        "bytes_per_hash_by_part": {k: round(v / n, 2) for k, v in index.parts().items()},
    }
    if n <= 100_000:
        out["equals_brute_force"] = found == brute_force(stored, queries, THRESHOLD)
    return out | summary(build, held, elapsed, cpu, found, targets)


def run_hma(n: int, threads: int | None) -> dict[str, Any]:
    import faiss
    from threatexchange.signal_type.pdq.signal import PdqSignal

    if threads:
        faiss.omp_set_num_threads(threads)
    stored, queries, targets = dataset(n)
    hexes, qhex = words_to_hex(stored), words_to_hex(queries)
    index_cls = PdqSignal.get_index_cls()
    base = rss_mib()
    t0 = time.perf_counter()
    index = index_cls.build((h, i) for i, h in enumerate(hexes))
    build = time.perf_counter() - t0
    held = rss_mib() - base
    del hexes
    # the batch entry point under PDQIndex.query (which takes one hash at a time)
    t0, c0 = time.perf_counter(), time.process_time()
    results = index.index.search_with_distance_in_result(qhex, THRESHOLD)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    found = {(qi, int(r[0])) for qi, h in enumerate(qhex) for r in results[h]}
    sample = qhex[:500]
    t0 = time.perf_counter()
    for h in sample:
        index.query(h)
    single = len(sample) / (time.perf_counter() - t0)
    out = {"single_query_per_s": round(single)}
    return out | summary(build, held, elapsed, cpu, found, targets)


def summary(
    build: float,
    held: float,
    elapsed: float,
    cpu: float,
    found: set[tuple[int, int]],
    targets: np.ndarray,
) -> dict[str, Any]:
    planted = {(i, int(t)) for i, t in enumerate(targets.tolist())}
    return {
        "build_s": round(build, 2),
        "index_rss_mib": round(held, 1),
        "peak_rss_mib": round(peak_mib(), 1),
        "queries_per_s": round(QUERIES / elapsed),
        # per second of CPU time over all threads: steadier than wall time on a shared machine
        "queries_per_cpu_s": round(QUERIES / cpu),
        "recall": len(planted & found) / len(planted),
        "false_hits_on_random": sum(1 for qi, _ in found if qi >= len(targets)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--only", choices=["ours", "hma"], default=None)
    ap.add_argument("--threads", type=int, default=None, help="default: every core")
    ap.add_argument("--hma-max", type=int, default=1_000_000, help="largest size for HMA's index")
    ap.add_argument("--layout", help="ours: chunks,radius,bits[,tags] (default: auto_layout)")
    ap.add_argument("--worker", nargs=2, metavar=("WHICH", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        which, n = args.worker[0], int(args.worker[1])
        if which == "ours":
            layout = Layout(*map(int, args.layout.split(","))) if args.layout else None
            print(json.dumps(run_ours(n, args.threads, layout)))
        else:
            print(json.dumps(run_hma(n, args.threads)))
        return
    print(f"cores={os.cpu_count()} queries={QUERIES} threshold={THRESHOLD}")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in args.sizes:
        for which in ("hma", "ours"):
            if (args.only and which != args.only) or (which == "hma" and n > args.hma_max):
                continue
            cmd = [sys.executable, __file__, "--worker", which, str(n)]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            if args.layout:
                cmd += ["--layout", args.layout]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode:
                print(f"{which:5} n={n:>10,}  failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            print(f"{which:5} n={n:>10,}  {proc.stdout.strip()}", flush=True)
            results[which, n] = json.loads(proc.stdout)
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for n in args.sizes:
        ours, hma = results.get(("ours", n)), results.get(("hma", n))
        if ours:
            print(
                f"n={n:>10,}  ours: {ours['bytes_per_hash']} bytes/hash (index), "
                f"{ours['index_rss_mib']} MiB held, {ours['peak_rss_mib']} MiB peak, "
                f"{ours['queries_per_s']:,} queries/s"
            )
        if ours and hma:
            print(
                f"n={n:>10,}  ours/hma: {ours['queries_per_s'] / hma['queries_per_s']:.1f}x "
                f"queries/s, {ours['index_rss_mib'] / hma['index_rss_mib']:.1%} of its memory, "
                f"build {ours['build_s']} s vs {hma['build_s']} s"
            )


if __name__ == "__main__":
    main()
