"""How long `takedown --help` takes to start, beside a bare `python -c pass`.

    .venv/bin/python bench/cli_startup.py [RUNS]      (default 15)

Runs each command RUNS times in a fresh process and prints the best and the median wall time
of each, the best CPU time (user + system, which other load on a shared machine disturbs
less), and what `takedown --help` costs above the bare interpreter. The best run is the
figure to compare (other load only ever adds time). The goal of issue 14 is under 0.3 s for
`takedown --help`. Timings are printed, never asserted.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TAKEDOWN = Path(sys.executable).with_name("takedown")

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "takedown --help": [str(TAKEDOWN), "--help"],
    "takedown hash --help": [str(TAKEDOWN), "hash", "--help"],
}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timings(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    env = {**os.environ, "COLUMNS": "100"}
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wall.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
        if proc.returncode:
            sys.exit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return wall, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    best: dict[str, float] = {}
    print(f"{'command':<22} {'best':>8} {'median':>8} {'best CPU':>9}   ({runs} runs each)")
    for name, argv in COMMANDS.items():
        wall, cpu = timings(argv, runs)
        best[name] = min(wall)
        print(f"{name:<22} {min(wall):>7.3f}s {statistics.median(wall):>7.3f}s {min(cpu):>8.3f}s")
    extra = best["takedown --help"] - best["python -c pass"]
    print(f"takedown --help above python -c pass: {extra:.3f}s (best wall times)")


if __name__ == "__main__":
    main()
