"""Hashing benchmark: takedown's pipeline against bare ``pdqhash.compute`` on the same images.

    .venv/bin/python bench/hashing.py                  # 300 synthetic JPEGs, 1024x768
    .venv/bin/python bench/hashing.py --count 50 --size 640x480

Figures (images/s, best of --repeat runs):
- compute: ``pdqhash.compute`` alone on arrays decoded beforehand;
- decode+compute: open, decode and prepare each file, then ``pdqhash.compute``: the least
  any PDQ pipeline must do;
- pipeline xN: ``takedown.media.hash_files`` with N worker processes (adds sha256, md5,
  the safety checks and the result objects). Overhead is measured against decode+compute;
  scaling is pipeline x2 over pipeline x1.
Synthetic pictures only. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from takedown.media.batch import hash_files  # noqa: E402
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


def best_rate(fn: Callable[[], int], repeat: int) -> float:
    best = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--size", default="1024x768")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.count, (size[0], size[1]))

        def decode(p: Path) -> np.ndarray:
            with Image.open(p) as im:
                return pixels_for_pdq(im)

        arrays = [decode(p) for p in paths]

        def compute() -> int:
            for a in arrays:
                pdqhash.compute(a)
            return len(arrays)

        def decode_compute() -> int:
            for p in paths:
                pdqhash.compute(decode(p))
            return len(paths)

        def pipeline(workers: int) -> Callable[[], int]:
            def run() -> int:
                results = list(hash_files(paths, workers=workers))
                assert all(r["ok"] for r in results)
                return len(results)

            return run

        rates = {
            "compute": best_rate(compute, args.repeat),
            "decode+compute": best_rate(decode_compute, args.repeat),
            "pipeline x1": best_rate(pipeline(1), args.repeat),
            "pipeline x2": best_rate(pipeline(2), args.repeat),
        }
    print(f"cores={os.cpu_count()} images={args.count} size={args.size} (best of {args.repeat})")
    for name, rate in rates.items():
        print(f"{name:16} {rate:8.1f} images/s")
    overhead = 1 - rates["pipeline x1"] / rates["decode+compute"]
    print(f"pipeline overhead vs decode+compute, 1 process: {overhead:+.1%}")
    print(f"scaling, 2 processes over 1: {rates['pipeline x2'] / rates['pipeline x1']:.2f}x")


if __name__ == "__main__":
    main()
