"""Hashing benchmark: takedown's pipeline against bare ``pdqhash.compute`` on the same images.

    .venv/bin/python bench/hashing.py                  # 200 synthetic JPEGs, 1024x768
    .venv/bin/python bench/hashing.py --count 50 --size 640x480 --rounds 2

Every variant hashes the same files, decoded from disk each time, in a fresh process of
its own (the heap a previous variant left behind moves PDQ's timings by 10-15%); the
variants take turns in each round (so a change in the machine's load hits them all alike),
ratios are taken within a round, and the median over rounds is printed.

- compute: ``pdqhash.compute`` alone, on arrays decoded beforehand (one process);
- bare: open, decode and prepare each file, then ``pdqhash.compute`` (the least any PDQ
  pipeline must do), in this process and in a pool of 1 and of 2 processes;
- takedown: ``takedown.media.hash_files`` (adds sha256 and md5 of the bytes, the safety
  checks and the result dicts), in this process and in a pool of 1 and of 2 workers.

Pools receive paths, not pixels, and every pool figure includes starting and stopping the
pool (forked workers; the start-up alone is printed too). Overhead: takedown against bare,
one process. Speed-up: 2 workers over 1, each side in its own pools; the bare speed-up is
what this machine allows at that moment, so the pipeline's is also shown as a share of it.
Synthetic pictures only. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from takedown.media.batch import _chunksize, hash_files  # noqa: E402
from takedown.media.pdq import pixels_for_pdq  # noqa: E402


def make_images(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    rng = np.random.default_rng(9)
    w, h = size
    paths = []
    for i in range(count):
        base = rng.integers(0, 256, (h // 16, w // 16, 3), dtype=np.uint8)
        image = Image.fromarray(base, "RGB").resize(size, Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(image)
        for _ in range(5):
            x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
            draw.ellipse(
                (x, y, x + w // 5, y + h // 5), fill=tuple(int(v) for v in rng.integers(0, 256, 3))
            )
        path = folder / f"img{i:04d}.jpg"
        image.save(path, quality=85)
        paths.append(path)
    return paths


def decode(path: str | Path) -> np.ndarray:
    with Image.open(path) as im:
        return pixels_for_pdq(im)


def bare_one(path: str) -> str:
    bits, _quality = pdqhash.compute(decode(path))
    return bytes(np.packbits(bits)).hex()


def bare_pool(paths: list[str], workers: int) -> int:
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return len(list(pool.map(bare_one, paths, chunksize=_chunksize(len(paths), workers))))


def takedown(paths: list[str], workers: int, pool: bool) -> int:
    results = list(hash_files(paths, workers=workers, pool=pool))
    assert all(r["ok"] for r in results)
    return len(results)


VARIANTS: dict[str, Callable[[list[str]], int]] = {
    "compute (arrays ready)": lambda paths: 0,  # timed apart: see run_variant
    "bare, this process": lambda paths: sum(1 for p in paths if bare_one(p)),
    "bare, pool of 1": lambda paths: bare_pool(paths, 1),
    "bare, pool of 2": lambda paths: bare_pool(paths, 2),
    "takedown, this process": lambda paths: takedown(paths, 1, False),
    "takedown, pool of 1": lambda paths: takedown(paths, 1, True),
    "takedown, pool of 2": lambda paths: takedown(paths, 2, True),
}


def run_variant(name: str, folder: Path) -> float:
    """Images per second of one variant, in this (fresh) process."""
    paths = sorted(str(p) for p in folder.glob("img*.jpg"))
    if name.startswith("compute"):
        arrays = [decode(p) for p in paths]
        t0 = time.perf_counter()
        for a in arrays:
            pdqhash.compute(a)
        return len(arrays) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    n = VARIANTS[name](paths)
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--size", default="1024x768")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--variant", nargs=2, metavar=("NAME", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.variant:
        print(run_variant(args.variant[0], Path(args.variant[1])))
        return
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"cores={os.cpu_count()} images={args.count} size={args.size} rounds={args.rounds}")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        make_images(Path(tmp), args.count, (size[0], size[1]))
        (Path(tmp) / "tiny").mkdir()
        tiny = [str(p) for p in make_images(Path(tmp) / "tiny", 2, (16, 16))]
        for r in range(args.rounds):
            names = list(VARIANTS)
            names = names[r % len(names) :] + names[: r % len(names)]  # rotate the order
            for name in names:  # each in a fresh process: no heap left over from another
                cmd = [sys.executable, __file__, "--variant", name, tmp]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                rates[name].append(float(out))
        startup = []
        for _ in range(5):
            t0 = time.perf_counter()
            takedown(tiny, 2, True)  # two 16x16 files: almost only the pool's start and stop
            startup.append(time.perf_counter() - t0)
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for name, values in rates.items():
        shown = " ".join(f"{v:6.1f}" for v in values)
        print(f"{name:24} median {statistics.median(values):6.1f} images/s   rounds: {shown}")
    print(
        f"pool start and stop (2 workers, 2 tiny files): {statistics.median(startup) * 1e3:.0f} ms"
    )

    def paired(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(rates[a], rates[b], strict=True))

    overhead = 1 - paired("takedown, this process", "bare, this process")
    pooled = 1 - paired("takedown, pool of 2", "bare, pool of 2")
    ours = paired("takedown, pool of 2", "takedown, pool of 1")
    bare = paired("bare, pool of 2", "bare, pool of 1")
    print(f"overhead, takedown vs bare, one process:       {overhead:+.1%}")
    print(f"overhead, takedown vs bare, pools of 2:        {pooled:+.1%}")
    print(f"speed-up, 2 workers over 1, takedown:          {ours:.2f}x")
    print(f"speed-up, 2 workers over 1, bare:              {bare:.2f}x")
    print(f"takedown's speed-up as a share of bare's:      {ours / bare:.0%}")
    print(
        "speed-up, takedown pool of 2 over this process: "
        f"{paired('takedown, pool of 2', 'takedown, this process'):.2f}x"
    )


if __name__ == "__main__":
    main()
