"""A big file's rows read and checked in a helper process, while the importing process writes.

Two cores then do the two halves of an import at once. What crosses between the processes is
plain tuples of strings and numbers (``intake_rows.Ready``), which pickle several times faster
than objects; an earlier pipeline that shipped row objects both ways was measured slower than
no pipeline. The helper also looks up, over a read-only connection to a SQLite database file,
which of a batch's items are stored already (``ItemIds``).
"""

from __future__ import annotations

import os
import pickle
import queue
import sqlite3
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from takedown.errors import UserError
from takedown.interop.tabular import open_source
from takedown.services.intake_rows import (
    R_KEY,
    Checked,
    EvidencePolicy,
    Ready,
    RowChecker,
    chunks,
    collector_paused,
)

PIPELINE_FROM_BYTES = 1024 * 1024  # below this, starting a process costs about what it saves
HELPER_BATCH = 2000  # rows a message: small, so that writing starts soon after the helper
HEAD_ROWS = 12_000  # rows the importing process checks itself while the helper starts and warms up
AHEAD = 8  # messages the helper may run ahead of the writer
_FRAME = struct.Struct("!Q")


@dataclass(frozen=True)
class ItemSource:
    """Where the helper looks up the items a batch's rows merge into: a SQLite file."""

    database: Path
    operation_id: int


@dataclass(frozen=True)
class FileJob:
    path: Path
    encoding: str
    max_bytes: int
    batch_size: int
    evidence: EvidencePolicy | None
    items: ItemSource | None = None
    skip: int = 0  # rows the importing process checks itself while the helper starts
    nul_free: bool | None = None  # as the importing process found it (Source.nul_free)


@dataclass
class FileBatch:
    checked: Checked
    bytes_read: int
    ignored_fields: list[str]
    # The ids of this batch's item keys that were stored when the helper looked (None: it did
    # not look). Items stored later, by this import or another, are missing; the writer
    # creates those and, if one exists by then, finds it (see intake._create_items).
    items: dict[str, int] | None = None


class ItemIds:
    """Looks up existing items over a read-only connection of the helper's own.

    In WAL mode a reader never waits for the writer, so this runs beside the import's
    transactions, and the writer has fewer look-ups of its own to make.
    """

    CHUNK = 900  # keys per IN list: under every SQLite build's bound-parameter limit

    def __init__(self, source: ItemSource) -> None:
        uri = source.database.resolve().as_uri() + "?mode=ro"
        self.conn = sqlite3.connect(uri, uri=True, timeout=60)
        self.conn.execute("PRAGMA cache_size=-65536")  # read-only: lookups cannot write
        self.operation_id = source.operation_id

    @classmethod
    def open(cls, source: ItemSource | None) -> ItemIds | None:
        """None when there is nothing to read, or it cannot be read: the writer then looks."""
        if source is None:
            return None
        try:
            return cls(source)
        except sqlite3.Error:
            return None

    def of(self, ready: list[Ready]) -> dict[str, int] | None:
        """The ids found, or None if the database could not be read (the writer looks)."""
        keys = sorted({r[R_KEY] for r in ready})
        found: dict[str, int] = {}
        try:
            for i in range(0, len(keys), self.CHUNK):
                part = keys[i : i + self.CHUNK]
                marks = ", ".join("?" * len(part))
                sql = f"SELECT key, id FROM items WHERE operation_id = ? AND key IN ({marks})"
                found.update(self.conn.execute(sql, [self.operation_id, *part]))
        except sqlite3.Error:
            return None
        return found

    def close(self) -> None:
        self.conn.close()


def use_pipeline(size: int, from_bytes: int = PIPELINE_FROM_BYTES) -> bool:
    return size >= from_bytes and (os.cpu_count() or 1) >= 2


class Helper:
    """A helper process reading and checking one file, ahead of the writer.

    It starts at once, so that it warms up while the importing process does other work (the
    first rows; see ``FileJob.skip``). The helper writes length-prefixed pickles to a pipe; a
    thread here reads them into a queue of ``AHEAD`` messages, so that the helper runs on while
    this process writes, and blocks when the queue is full (memory stays bounded). If this
    process dies, the helper's next write fails and it exits. A file-level error the helper
    meets mid-file (say, bytes that are not text) is raised by ``batches`` after the batches
    before it. ``close`` stops the helper.
    """

    def __init__(self, job: FileJob) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from takedown.services.intake_pipeline import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.frames: queue.Queue[bytes | BaseException | None] = queue.Queue(AHEAD)
        self.stop = threading.Event()
        self.reader = threading.Thread(target=self._pump, name="intake-helper-reader", daemon=True)
        self.reader.start()
        try:
            self.proc.stdin.write(pickle.dumps(job))
            self.proc.stdin.close()
        except BaseException:
            self.close()
            raise

    def batches(self) -> Iterator[FileBatch]:
        while True:
            item = self.frames.get()
            if item is None:
                raise RuntimeError("the import's checking process stopped without finishing")
            if isinstance(item, BaseException):
                raise item
            kind, payload = pickle.loads(item)
            if kind == "batch":
                yield payload
            elif kind == "error":
                raise UserError(payload)
            elif kind == "crash":
                raise RuntimeError(f"the import's checking process failed: {payload}")
            else:
                return

    def close(self) -> None:
        self.stop.set()
        if self.proc.poll() is None:
            self.proc.kill()  # its pipe closes, so the reader's read ends
        self.proc.wait()
        self.reader.join(timeout=10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()

    def _put(self, item: bytes | BaseException | None) -> None:
        while not self.stop.is_set():
            try:
                self.frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        try:
            while not self.stop.is_set():
                frame = _read_frame(self.proc.stdout)
                self._put(frame)
                if frame is None:
                    return
        except BaseException as exc:  # handed to the importing thread, which raises it
            self._put(exc)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """The next message's bytes, or None at the end of the stream."""
    head = stream.read(_FRAME.size)
    if not head:
        return None
    if len(head) < _FRAME.size:
        raise RuntimeError("the import's checking process stopped mid-message")
    (size,) = _FRAME.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise RuntimeError("the import's checking process stopped mid-batch")
    return body


def main() -> None:
    """The helper process: check the file's rows and send them back, batch by batch."""
    job: FileJob = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer

    def send(kind: str, payload: Any) -> None:
        body = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_FRAME.pack(len(body)))
        out.write(body)
        out.flush()

    try:
        with collector_paused():
            _check_file(job, send)
        send("end", None)
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the importing process is gone, or is stopping too
    except UserError as exc:
        send("error", str(exc))
    except Exception as exc:  # reported to the importing process, which raises it
        send("crash", f"{type(exc).__name__}: {exc}")


def _check_file(job: FileJob, send: Callable[[str, Any], None]) -> None:
    source = open_source(
        job.path, encoding=job.encoding, max_bytes=job.max_bytes, nul_free=job.nul_free
    )
    checker = RowChecker(job.evidence)
    items = ItemIds.open(job.items)
    try:
        stream = source.rows()
        for _ in islice(stream, job.skip):
            pass  # the importing process checks these
        for rows in chunks(stream, job.batch_size):
            checked = checker.batch(rows)
            batch = FileBatch(
                checked,
                source.bytes_read(),
                sorted(source.ignored_fields),
                items.of(checked[1]) if items is not None else None,
            )
            send("batch", batch)
    finally:
        source.close()
        if items is not None:
            items.close()
