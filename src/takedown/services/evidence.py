"""Evidence: files kept for an item, stored content-addressed by SHA-256.

The store is ``DATA_DIR/evidence/ab/cd/<sha256>``: the same file reported twice is kept once,
and a file's name on disk proves its content.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from takedown.errors import UserError
from takedown.store import audit
from takedown.store.models import Evidence

CHUNK = 1024 * 1024


def evidence_file(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def store_file(root: Path, source: Path, *, max_bytes: int) -> tuple[str, int]:
    """Copy ``source`` into the store; returns (sha256, size). Safe to repeat."""
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise UserError(f"evidence {source}: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise UserError(f"evidence {source} is {size} bytes, over the limit of {max_bytes}")
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK):
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


def attach_evidence(
    session: Session,
    *,
    item_id: int,
    report_id: int | None,
    source: Path,
    root: Path,
    max_bytes: int,
    actor: str,
) -> Evidence:
    sha, size = store_file(root, source, max_bytes=max_bytes)
    media_type = mimetypes.guess_type(source.name)[0]
    ev = Evidence(
        item_id=item_id,
        report_id=report_id,
        sha256=sha,
        size=size,
        media_type=media_type,
        filename=source.name[:512],
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
        change={"evidence_id": ev.id, "sha256": sha, "size": size, "report_id": report_id},
    )
    return ev


def copy_out(root: Path, sha256: str, dest: Path) -> None:
    shutil.copyfile(evidence_file(root, sha256), dest)
