"""Evidence: files kept for an item, stored content-addressed by SHA-256.

The store is ``DATA_DIR/evidence/ab/cd/<sha256>``: the same file reported twice is kept once,
and a file's name on disk proves its content.

A file named by a report (``evidence_path``) is read only from inside one folder, the import
file's own or the one the operator names: ``open_inside`` resolves the name, opens it without
following a last symlink and without blocking (a FIFO), and checks what it opened (a regular
file, still inside the folder), so a path swapped between the check and the open is caught.
Whatever is refused (missing, outside, a directory, a device, a FIFO, ``/proc``) gets the same
answer, so that a refusal never tells whether a file exists. The size cap counts the bytes
actually read: ``/proc`` files and a growing file say nothing true about their size.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from takedown.errors import UserError
from takedown.store import audit
from takedown.store.models import Evidence

CHUNK = 1024 * 1024
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_PSEUDO = ("/proc", "/sys")  # kernel files that pose as regular ones (devices are not regular)
UNAVAILABLE = "not a regular file inside the evidence folder"


class EvidenceRefused(UserError):
    """An evidence file that may not be read: ``code`` is ``unavailable`` or ``too_big``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def evidence_file(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def _opened_path(fd: int) -> str | None:
    """The path the kernel has for an open file (Linux), or None where it cannot say."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def open_inside(folder: Path, name: str) -> int:
    """A read-only descriptor of the regular file ``name`` names inside ``folder``.

    ``name`` may be relative to the folder or absolute; after resolving symlinks it must be
    inside the folder. Raises ``EvidenceRefused("unavailable", …)`` for anything else, with
    one message whatever the reason.
    """
    refused = EvidenceRefused("unavailable", f"evidence_path: {UNAVAILABLE}")
    if not name or "\x00" in name:
        raise refused
    root = os.path.realpath(folder)
    real = os.path.realpath(os.path.join(root, name))
    if not _inside(real, root) or any(real == p or _inside(real, p) for p in _PSEUDO):
        raise refused
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except (OSError, ValueError):
        raise refused from None
    try:
        opened = _opened_path(fd)
        if not stat.S_ISREG(os.fstat(fd).st_mode) or (
            opened is not None and not _inside(opened, root)
        ):
            raise refused
    except BaseException:
        os.close(fd)
        raise
    return fd


def store_file(
    root: Path, source: Path, *, max_bytes: int, inside: Path | None = None
) -> tuple[str, int]:
    """Copy ``source`` into the store; returns (sha256, size). Safe to repeat.

    With ``inside``, ``source`` is read only if it is a regular file inside that folder (see
    ``open_inside``). No more than ``max_bytes`` are ever read: a longer file is refused and
    nothing of it is kept.
    """
    if inside is not None:
        fd = open_inside(inside, str(source))
    else:
        try:
            fd = os.open(source, _OPEN_FLAGS)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise EvidenceRefused("unavailable", f"evidence {source}: not a regular file")
        except OSError as exc:
            raise EvidenceRefused(
                "unavailable", f"evidence {source}: {exc.strerror or exc}"
            ) from None
    with os.fdopen(fd, "rb") as src:
        return _copy_in(root, src, max_bytes)


def _copy_in(root: Path, src: BinaryIO, max_bytes: int) -> tuple[str, int]:
    read = src.read
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    tmp_fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(tmp_fd, "wb") as dst:
            while chunk := read(min(CHUNK, max_bytes + 1 - size)):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceRefused(
                        "too_big", f"evidence_path: over the limit of {max_bytes} bytes"
                    )
                digest.update(chunk)
                dst.write(chunk)
        sha = digest.hexdigest()
        target = evidence_file(root, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return sha, size


def record_evidence(
    session: Session,
    *,
    item_id: int,
    report_id: int | None,
    sha256: str,
    size: int,
    filename: str,
    actor: str,
) -> Evidence:
    """Record a file already in the store (``store_file``) as evidence of an item."""
    ev = Evidence(
        item_id=item_id,
        report_id=report_id,
        sha256=sha256,
        size=size,
        media_type=mimetypes.guess_type(filename)[0],
        filename=filename[:512],
    )
    session.add(ev)
    session.flush()
    # After commit, the job layer hashes it and matches it against the banks (by id).
    session.info.setdefault("evidence", []).append(ev.id)
    audit.record(
        session,
        actor=actor,
        action="evidence.attach",
        object_type="item",
        object_id=item_id,
        change={"evidence_id": ev.id, "sha256": sha256, "size": size, "report_id": report_id},
    )
    return ev


def attach_evidence(
    session: Session,
    *,
    item_id: int,
    report_id: int | None,
    source: Path,
    root: Path,
    max_bytes: int,
    actor: str,
    inside: Path | None = None,
) -> Evidence:
    """Copy a file into the store and record it (``store_file``, then ``record_evidence``)."""
    sha, size = store_file(root, source, max_bytes=max_bytes, inside=inside)
    return record_evidence(
        session,
        item_id=item_id,
        report_id=report_id,
        sha256=sha,
        size=size,
        filename=source.name,
        actor=actor,
    )


def copy_out(root: Path, sha256: str, dest: Path) -> None:
    shutil.copyfile(evidence_file(root, sha256), dest)
