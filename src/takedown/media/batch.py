"""Hash many files on every core: a process pool, results in input order.

Decoding and PDQ are CPU-bound and hold the GIL for part of their run, so files are spread
over processes: forked when this process runs a single thread (a worker starts in
milliseconds), spawned otherwise (forking beside threads is unsafe; a spawned worker needs
about a second to import numpy, Pillow and PyAV). ``on_done`` is called once per finished file, for
progress bars; the media package itself draws nothing.

Workers receive paths, never pixels, and send back the small result dicts. Files go out a
few at a time (``_chunksize``): enough to make the hand-over cost nothing beside decoding
and hashing, few enough that no worker sits idle at the end while another finishes a long
chunk.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from takedown.media.hashing import hash_file
from takedown.media.limits import MediaLimits


def _hash_one(args: tuple[str, MediaLimits, bool]) -> dict[str, Any]:
    path, limits, dihedral = args
    try:
        return hash_file(path, limits, dihedral=dihedral)
    except Exception as exc:  # a decoder bug must not stop the batch
        return {"path": path, "ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}


def hash_files(
    paths: Sequence[Path | str],
    limits: MediaLimits | None = None,
    *,
    dihedral: bool = False,
    workers: int | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    pool: bool | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield ``hash_file`` results in the order of ``paths``: in ``workers`` processes
    (default: one per core), or in this process when there is one worker (``pool=True``
    forces processes even then, as the benchmark does to measure scaling)."""
    limits = limits or MediaLimits()
    jobs = [(str(p), limits, dihedral) for p in paths]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if not jobs or (workers == 1 and not pool):
        for job in jobs:
            result = _hash_one(job)
            if on_done:
                on_done(result)
            yield result
        return
    context = get_context("fork" if threading.active_count() == 1 else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as executor:
        for result in executor.map(_hash_one, jobs, chunksize=_chunksize(len(jobs), workers)):
            if on_done:
                on_done(result)
            yield result


def _chunksize(n: int, workers: int) -> int:
    """About 32 hand-overs per worker, at most 8 files each: a file takes milliseconds to
    hash and a hand-over about a tenth of one, and the last chunks end close together."""
    return max(1, min(8, n // (workers * 32)))
