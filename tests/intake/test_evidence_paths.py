"""Evidence is read only from regular files inside the evidence folder, and never past the cap.

Each hostile name is refused with one and the same answer, so that a refusal never tells whether
a file exists outside the folder; nothing of a refused file reaches the store.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from takedown.services.evidence import EvidenceRefused, evidence_file, open_inside, store_file
from takedown.services.intake_rows import EvidencePolicy, Rejection, RowChecker
from takedown.store.db import Database
from takedown.store.models import Evidence

from .conftest import Submit, rows

SECRET = b"TAKEDOWN_SECRET=do-not-copy\n"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(import folder with shot.png, a folder beside it holding a secret, the store)."""
    inside = tmp_path / "import"
    inside.mkdir()
    (inside / "shot.png").write_bytes(b"\x89PNG evidence")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    return inside, outside, tmp_path / "store"


def _stored(store: Path) -> list[bytes]:
    """The content of every file in the store (nothing left half-written either)."""
    return [p.read_bytes() for p in store.rglob("*") if p.is_file()] if store.exists() else []


def _refusal(folder: Path, store: Path, name: str, max_bytes: int = 10**6) -> EvidenceRefused:
    with pytest.raises(EvidenceRefused) as caught:
        store_file(store, Path(name), max_bytes=max_bytes, inside=folder)
    return caught.value


def test_a_file_inside_the_folder_is_stored(folders: tuple[Path, Path, Path]) -> None:
    inside, _, store = folders
    (inside / "sub").mkdir()
    (inside / "sub" / "clip.mp4").write_bytes(b"clip")
    (inside / "alias.png").symlink_to(inside / "sub" / "clip.mp4")  # a link that stays inside
    for name in (
        "shot.png",
        "sub/clip.mp4",
        "./sub/../shot.png",
        "alias.png",
        str(inside / "shot.png"),
    ):
        sha, size = store_file(store, Path(name), max_bytes=100, inside=inside)
        assert evidence_file(store, sha).read_bytes() == (inside / name).read_bytes()
        assert size == (inside / name).stat().st_size


@pytest.mark.parametrize(
    "name",
    [
        "../elsewhere/secret.txt",  # traversal
        "sub/../../elsewhere/secret.txt",
        "{outside}/secret.txt",  # absolute
        "link-out",  # a symlink to the secret
        "link-dir/secret.txt",  # a symlinked folder that leads out
        "/proc/self/environ",  # the process's secrets
        "/etc/passwd",
        "/dev/zero",  # endless: refused before a byte is read
        "fifo",  # would block an open without O_NONBLOCK
        "zero",  # a symlink to /dev/zero
        "sub",  # a folder
        ".",
        "",
        "missing.png",
        "shot.png\x00.txt",
    ],
)
def test_hostile_names_are_refused_alike(folders: tuple[Path, Path, Path], name: str) -> None:
    inside, outside, store = folders
    (inside / "sub").mkdir()
    (inside / "link-out").symlink_to(outside / "secret.txt")
    (inside / "link-dir").symlink_to(outside)
    (inside / "zero").symlink_to("/dev/zero")
    os.mkfifo(inside / "fifo")
    refused = _refusal(inside, store, name.format(outside=outside))
    assert refused.code == "unavailable"
    assert str(refused) == "evidence_path: not a regular file inside the evidence folder"
    assert _stored(store) == []


def test_an_existing_and_a_missing_outside_file_get_the_same_answer(
    folders: tuple[Path, Path, Path],
) -> None:
    inside, outside, store = folders
    answers = {
        str(_refusal(inside, store, name))
        for name in (
            "../elsewhere/secret.txt",
            "../elsewhere/no-such.txt",
            f"{outside}/secret.txt",
            f"{outside}/no-such.txt",
            "../no-such-folder/x",
        )
    }
    assert len(answers) == 1


def test_the_folder_itself_may_be_proc_yet_its_files_are_refused(tmp_path: Path) -> None:
    """An operator's --evidence-root /proc/self still reads nothing there."""
    for folder, name in ((Path("/proc/self"), "environ"), (Path("/dev"), "zero")):
        refused = _refusal(folder, tmp_path / "store", name)
        assert refused.code == "unavailable"
    assert _stored(tmp_path / "store") == []


def test_the_cap_counts_bytes_read_not_the_size_a_file_claims(
    folders: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, _, store = folders
    (inside / "big.bin").write_bytes(b"x" * 11)
    # A /proc file says it holds 0 bytes; make every file say so, and the cap still holds.
    real_fstat = os.fstat

    def zero_size(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid,
                               st.st_gid, 0, st.st_atime, st.st_mtime, st.st_ctime))  # fmt: skip

    monkeypatch.setattr(os, "fstat", zero_size)
    refused = _refusal(inside, store, "big.bin", max_bytes=10)
    assert refused.code == "too_big"
    assert "10 bytes" in str(refused)
    assert _stored(store) == []
    assert store_file(store, Path("big.bin"), max_bytes=11, inside=inside)[1] == 11


def test_a_fifo_never_blocks(folders: tuple[Path, Path, Path]) -> None:
    inside, _, store = folders
    os.mkfifo(inside / "fifo")
    done = threading.Event()

    def attempt() -> None:
        try:
            store_file(store, Path("fifo"), max_bytes=10, inside=inside)
        except EvidenceRefused:
            done.set()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if not done.is_set():  # unblock the reader so the test run can end
        with open(os.open(inside / "fifo", os.O_WRONLY | os.O_NONBLOCK), "wb"):
            pass
    assert done.is_set(), "opening a FIFO blocked"


def test_a_symlink_swapped_in_after_the_check_is_not_followed(
    folders: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time of check to time of use: the name resolves inside, then becomes a link out."""
    inside, outside, store = folders
    real_realpath = os.path.realpath

    def swap_after_resolving(path: str | os.PathLike[str]) -> str:
        resolved = real_realpath(path)
        if resolved.endswith("shot.png"):
            os.unlink(resolved)
            os.symlink(outside / "secret.txt", resolved)
        return resolved

    monkeypatch.setattr(os.path, "realpath", swap_after_resolving)
    assert _refusal(inside, store, "shot.png").code == "unavailable"
    assert _stored(store) == []


def test_a_folder_swapped_for_a_link_after_the_check_is_caught(
    folders: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, outside, store = folders
    (inside / "sub").mkdir()
    (inside / "sub" / "secret.txt").write_bytes(b"harmless")
    real_realpath = os.path.realpath

    def swap_after_resolving(path: str | os.PathLike[str]) -> str:
        resolved = real_realpath(path)
        if resolved.endswith(os.path.join("sub", "secret.txt")):
            os.rename(inside / "sub", inside / "old-sub")
            os.symlink(outside, inside / "sub")
        return resolved

    monkeypatch.setattr(os.path, "realpath", swap_after_resolving)
    assert _refusal(inside, store, "sub/secret.txt").code == "unavailable"
    assert SECRET not in _stored(store)


def test_open_inside_returns_a_descriptor_of_that_file(folders: tuple[Path, Path, Path]) -> None:
    inside, _, _ = folders
    fd = open_inside(inside, "shot.png")
    with os.fdopen(fd, "rb") as fh:
        assert fh.read() == b"\x89PNG evidence"


def test_the_row_checker_rejects_the_row_alone(folders: tuple[Path, Path, Path]) -> None:
    inside, _, store = folders
    checker = RowChecker(EvidencePolicy(inside, store, 10**6))
    _, ready, rejections = checker.batch(
        rows(
            {"url": "https://example.org/1", "evidence_path": "shot.png"},
            {"url": "https://example.org/2", "evidence_path": "../elsewhere/secret.txt"},
            {"url": "https://example.org/3", "evidence_path": "/proc/self/environ"},
        )
    )
    assert [r[0] for r in ready] == [2]
    assert [(r.row, r.field, r.code) for r in rejections] == [
        (3, "evidence_path", "unavailable"),
        (4, "evidence_path", "unavailable"),
    ]
    assert len({r.reason for r in rejections}) == 1
    assert all(isinstance(r, Rejection) for r in rejections)


def test_submit_stores_evidence_from_inside_only(
    db: Database, submit: Submit, folders: tuple[Path, Path, Path]
) -> None:
    inside, _, store = folders
    result = submit(
        {"url": "https://example.org/1", "evidence_path": "shot.png"},
        {"url": "https://example.org/2", "evidence_path": "../elsewhere/secret.txt"},
        evidence=EvidencePolicy(inside, store, 10**6),
    )
    assert (result.accepted, result.rejected) == (1, 1)
    with db.session() as s:
        kept = s.scalars(select(Evidence)).all()
    assert [(e.filename, e.size, e.media_type) for e in kept] == [("shot.png", 13, "image/png")]
    assert _stored(store) == [b"\x89PNG evidence"]
