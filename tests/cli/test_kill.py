"""An import killed with SIGKILL half-way loses no committed row; running it again completes it.

The import is told (TAKEDOWN_IMPORT_PAUSE_AFTER_BATCHES, a test-only hook of
``takedown.services.intake.import_file``) to block after two committed transactions, so the
kill always lands half-way, however fast the machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select

from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import Item, Report

# PostgreSQL round trips make intake slower there: a smaller file keeps the rerun short. Either
# file is big enough that the helper process is still sending rows when the import is killed
# (it runs at most about a dozen messages ahead of the writer).
ON_PG = bool(os.environ.get("TAKEDOWN_TEST_DATABASE_URL"))
ROWS = 24_000 if ON_PG else 60_000
BATCH = 1_000 if ON_PG else 3_000  # 3,000: the helper sends it as two messages of 1,500
PAUSE = 2  # committed transactions before the import blocks, waiting for its SIGKILL


def _count(db: Database) -> int:
    with db.reading() as s:  # a WAL reader: it never waits for the import's write lock
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def _helpers() -> set[int]:
    """Pids of running intake helper processes (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"intake_pipeline import main" in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
@pytest.mark.parametrize("pipeline", [False, True], ids=["one-process", "helper-process"])
def test_import_killed_half_way_then_rerun(
    takedown, instance: Database, settings_env: Path, tmp_path: Path, pipeline: bool
) -> None:
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8") as fh:
        fh.write("url,title,external_id\n")
        for i in range(ROWS):
            fh.write(f"https://example.org/page/{i},title {i},\n")
    # the helper process reads and checks the file while the import writes (or not)
    pipeline_env = {"TAKEDOWN_IMPORT_PIPELINE_FROM_BYTES": "0" if pipeline else str(10**12)}
    env = {
        **os.environ,
        "TAKEDOWN_IMPORT_BATCH_SIZE": str(BATCH),
        "TAKEDOWN_IMPORT_PAUSE_AFTER_BATCHES": str(PAUSE),
        **pipeline_env,
    }
    helpers_before = _helpers()
    args = [str(Path(sys.executable).with_name("takedown")), "import", str(source),
            "--operation", "OP1", "--unit", "DE-IRU", "--json"]  # fmt: skip
    proc = subprocess.Popen(
        args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120  # a safety net against hanging, not a timing assertion
        while _count(instance) < PAUSE * BATCH and proc.poll() is None:
            assert time.monotonic() < deadline, "the import never committed its first batches"
            time.sleep(0.02)
        assert proc.poll() is None, f"the import ended instead of pausing: {proc.communicate()}"
        if pipeline and Path("/proc/self").exists():
            assert _helpers() - helpers_before, "no helper process is reading the file"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    if pipeline and Path("/proc/self").exists():
        # the orphaned helper's next write to the dead importer fails, and it exits
        deadline = time.monotonic() + 30
        while _helpers() - helpers_before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _helpers() - helpers_before, "the helper process outlived the killed import"

    committed = _count(instance)
    assert committed == PAUSE * BATCH, "a batch was committed in part, or lost"
    with instance.session() as s:
        assert audit.verify_chain(s).ok
        before = set(s.scalars(select(Report.url)))
        assert s.scalar(select(func.count()).select_from(Item)) == committed

    ran = takedown("import", source, "--operation", "OP1", "--unit", "DE-IRU", "--json",
                   env={"TAKEDOWN_IMPORT_BATCH_SIZE": str(BATCH), **pipeline_env})  # fmt: skip
    assert ran.code == 0, ran.err
    summary = json.loads(ran.out)
    assert summary["rows_read"] == ROWS
    assert summary["duplicates"] == committed
    assert summary["accepted"] == ROWS - committed
    assert summary["rejected"] == 0

    with instance.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == ROWS
        assert s.scalar(select(func.count(distinct(Report.url)))) == ROWS
        assert s.scalar(select(func.count()).select_from(Item)) == ROWS
        assert s.scalar(select(func.count(distinct(Item.key)))) == ROWS
        assert before <= set(s.scalars(select(Report.url)))
        assert audit.verify_chain(s).ok
