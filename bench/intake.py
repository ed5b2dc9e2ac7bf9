"""Intake benchmark: import 1,000,000 synthetic report rows, beside the physical limit.

Workload: ~600,000 distinct items on 12 platforms, written as URL variants (mobile hosts,
tracking parameters, case) and reported by 11 units, one CSV per unit. Every URL is invented.

  .venv/bin/python bench/intake.py                 # 1,000,000 rows, SQLite
  .venv/bin/python bench/intake.py --rows 100000   # quicker
  .venv/bin/python bench/intake.py --batch-size 20000   # smaller transactions
  .venv/bin/python bench/intake.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/takedown_bench

Baseline (same files, same run): read the CSV, ``urllib.parse.urlsplit`` each URL, and
``executemany`` into a bare SQLite table. It runs before and after the import, and the ratio
is taken against the faster of the two, since this kind of machine's speed drifts by 20% or
more from minute to minute. Each phase runs in a fresh child process, so its peak RSS
(ru_maxrss) is its own. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

UNITS = [f"IRU-{cc}" for cc in ("AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL", "PT", "SE", "SI")]
PLATFORMS = 12


def _code(n: int, width: int = 11) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    out = []
    n = n * 2654435761 % (64**width)
    for _ in range(width):
        n, r = divmod(n, 64)
        out.append(alphabet[r])
    return "".join(out)


def variants(i: int) -> list[str]:
    p, n = i % PLATFORMS, i // PLATFORMS
    a = n % 5000
    c = _code(n)
    return [
        [
            f"https://t.me/chan{a}/{n}",
            f"t.me/s/Chan{a}/{n}",
            f"https://telegram.me/chan{a}/{n}?utm_source=share",
        ],
        [
            f"https://www.youtube.com/watch?v={c}",
            f"https://youtu.be/{c}?si=Xy12",
            f"https://m.youtube.com/watch?v={c}&feature=share",
        ],
        [
            f"https://x.com/user{a}/status/{n}",
            f"https://twitter.com/User{a}/status/{n}?s=20",
            f"https://mobile.twitter.com/user{a}/status/{n}",
        ],
        [
            f"https://www.facebook.com/page{a}/posts/{n}",
            f"https://m.facebook.com/page{a}/posts/{n}?fbclid=IwAR0x",
        ],
        [f"https://www.instagram.com/p/{c}/", f"https://instagram.com/p/{c}?igshid=abc"],
        [
            f"https://www.tiktok.com/@user{a}/video/{n}",
            f"https://m.tiktok.com/@user{a}/video/{n}?is_from_webapp=1",
        ],
        [f"https://vk.com/wall-{a}_{n}", f"https://m.vk.com/wall-{a}_{n}"],
        [
            f"https://rumble.com/v{c[:6].lower()}-clip-{n}.html",
            f"https://www.rumble.com/v{c[:6].lower()}-clip-{n}.html?utm_medium=x",
        ],
        [f"https://www.bitchute.com/video/{c}/", f"https://bitchute.com/video/{c}"],
        [
            f"https://odysee.com/@chan{a}:1/video{n}:a",
            f"https://www.odysee.com/@chan{a}:1/video{n}:a",
        ],
        [f"https://archive.org/details/item-{n}", f"https://www.archive.org/details/item-{n}"],
        [
            f"https://site{a}.example.com/article/{n}",
            f"http://www.site{a}.example.com/article/{n}?utm_campaign=x",
        ],
    ][p]


def generate(folder: Path, rows: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    distinct = rows * 6 // 10
    picks = list(range(distinct)) + [rng.randrange(distinct) for _ in range(rows - distinct)]
    rng.shuffle(picks)
    files = [folder / f"{unit}.csv" for unit in UNITS]
    handles = [f.open("w", newline="", encoding="utf-8") for f in files]
    writers = [csv.writer(h) for h in handles]
    for w in writers:
        w.writerow(["url", "title", "language", "content_type", "reported_at", "external_id"])
    for row, item in enumerate(picks):
        u = rng.randrange(len(UNITS))
        url = rng.choice(variants(item))
        ext = f"r{row}" if row % 2 else ""
        writers[u].writerow(
            [url, f"synthetic item {item}", "en", "video", "2026-11-20T10:00:00Z", ext]
        )
    for h in handles:
        h.close()
    return files


def _child(target: Any, args: tuple[Any, ...], queue: Any) -> None:
    t0 = time.perf_counter()
    extra = target(*args)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
    queue.put((seconds, peak, extra))


def run_phase(target: Any, *args: Any) -> tuple[float, float, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def baseline(files: list[Path], db_path: str) -> int:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE bare (url TEXT, host TEXT, path TEXT, title TEXT, language TEXT,"
        " content_type TEXT, reported_at TEXT, external_id TEXT)"
    )
    n = 0
    for f in files:
        with f.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            batch = []
            for url, title, lang, ctype, when, ext in reader:
                parts = urlsplit(url)
                batch.append((url, parts.netloc, parts.path, title, lang, ctype, when, ext))
                if len(batch) >= 5000:
                    conn.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?)", batch)
                    conn.commit()
                    n += len(batch)
                    batch = []
            if batch:
                conn.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?)", batch)
                conn.commit()
                n += len(batch)
    conn.close()
    return n


def takedown_import(
    files: list[Path], url: str, data_dir: str, batch_size: int = 50_000
) -> dict[str, int]:
    from takedown.services.intake import import_file
    from takedown.services.operations import create_operation
    from takedown.services.units import create_unit
    from takedown.store.db import Database

    db = Database(url)
    db.migrate()
    with db.session() as s:
        create_operation(s, "bench", actor="bench")
        for unit in UNITS:
            create_unit(s, unit, "referral_unit", actor="bench")
    totals = {"rows_read": 0, "accepted": 0, "new_items": 0, "merged": 0, "rejected": 0}
    for f in files:
        out = import_file(
            db,
            "bench",
            f.stem,
            f,
            actor="bench",
            max_bytes=2**40,
            batch_size=batch_size,
            evidence_root=Path(data_dir) / "evidence",
            evidence_max_bytes=2**20,
        )
        for k in totals:
            totals[k] += getattr(out.result, k)
    db.dispose()
    return totals


def _ensure_database(url: str) -> None:
    """Create the benchmark's database when it is missing (connecting to ``postgres`` first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).first()
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from takedown.store.db import Database

    _ensure_database(url)
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def _baseline(folder: Path, files: list[Path], when: str) -> float:
    bare = folder / "bare.db"
    for path in (bare, bare.with_name("bare.db-wal"), bare.with_name("bare.db-shm")):
        path.unlink(missing_ok=True)
    secs, peak, n = run_phase(baseline, files, str(bare))
    print(
        f"baseline  csv+urlsplit+executemany ({when} the import): {n:,} rows in {secs:.1f}s = "
        f"{n / secs:,.0f} rows/s, peak RSS {peak:.0f} MiB"
    )
    return n / secs


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--postgres",
        help="also import into this PostgreSQL URL (created if missing; its schema is dropped!)",
    )
    ap.add_argument(
        "--batch-size",
        type=int,
        default=50_000,
        help="rows per transaction, as TAKEDOWN_IMPORT_BATCH_SIZE (default 50,000, its default)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="takedown-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        files = generate(folder, args.rows)
        size = sum(f.stat().st_size for f in files)
        print(
            f"generated {args.rows:,} rows in {len(files)} files ({size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t0:.1f}s"
        )

        base_rates = [_baseline(folder, files, "before")]

        url = f"sqlite:///{folder / 'takedown.db'}"
        secs, peak, totals = run_phase(takedown_import, files, url, str(folder), args.batch_size)
        rate = totals["rows_read"] / secs
        print(
            f"takedown  import (SQLite):           {totals['rows_read']:,} rows in {secs:.1f}s = "
            f"{rate:,.0f} rows/s, peak RSS {peak:.0f} MiB"
        )
        print(
            f"          accepted {totals['accepted']:,}, items {totals['new_items']:,}, "
            f"merged {totals['merged']:,}, rejected {totals['rejected']:,}"
        )
        base_rates.append(_baseline(folder, files, "after"))
        print(
            f"          ratio to the faster baseline: {rate / max(base_rates):.1%}"
            f" (to the slower: {rate / min(base_rates):.1%}; goal >= 25%, and >= 15,000 rows/s)"
        )

        if args.postgres:
            _reset_postgres(args.postgres)
            secs, peak, totals = run_phase(
                takedown_import, files, args.postgres, str(folder), args.batch_size
            )
            rate = totals["rows_read"] / secs
            print(
                f"takedown  import (PostgreSQL):       {totals['rows_read']:,} rows in {secs:.1f}s = "
                f"{rate:,.0f} rows/s, peak RSS {peak:.0f} MiB"
            )
            print(f"          items {totals['new_items']:,}, merged {totals['merged']:,}")
            _reset_postgres(args.postgres)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
