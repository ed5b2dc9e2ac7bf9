"""`takedown import` given hostile files: evidence paths that lead out, dates past the calendar,
control characters, and encodings that are no text encodings.

Each bad row is rejected alone, with a reason that gives nothing away; a bad option is an
`error: …` before anything is read.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from takedown.store.db import Database
from takedown.store.models import Evidence, Report

IMPORT = ("--operation", "OP1", "--unit", "DE-IRU")
MARKER = "tdk-marker-do-not-copy-7f3a"


def _summary(ran) -> dict:
    assert ran.code == 0, ran.err
    return json.loads(ran.out.strip().splitlines()[-1])


def _stored_bytes(data: Path) -> list[bytes]:
    store = data / "evidence"
    return [p.read_bytes() for p in store.rglob("*") if p.is_file()] if store.exists() else []


def _evidence_csv(folder: Path, names: list[str]) -> Path:
    f = folder / "reports.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["url", "evidence_path"])
        for n, name in enumerate(names):
            out.writerow([f"https://example.org/{n}", name])
    return f


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, list[str]]:
    """An import folder with one good file and every kind of name that must be refused."""
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "shot.png").write_bytes(b"\x89PNG good evidence")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(MARKER)
    (folder / "link-out").symlink_to(outside / "secret.txt")
    (folder / "link-dir").symlink_to(outside)
    (folder / "zero").symlink_to("/dev/zero")
    (folder / "a-folder").mkdir()
    os.mkfifo(folder / "fifo")
    refused = [
        "../outside/secret.txt",  # exists
        "../outside/no-such.txt",  # does not
        str(outside / "secret.txt"),
        str(outside / "no-such.txt"),
        "/etc/passwd",
        "/etc/no-such-file",
        "/proc/self/environ",
        "link-out",
        "link-dir/secret.txt",
        "/dev/zero",
        "zero",
        "fifo",
        "a-folder",
        "missing.png",
    ]
    return folder, refused


def test_hostile_evidence_paths_are_refused_alike_and_nothing_leaks(
    takedown, instance: Database, settings_env: Path, hostile: tuple[Path, list[str]]
) -> None:
    folder, refused = hostile
    f = _evidence_csv(folder, ["shot.png", *refused])
    rejects = folder.parent / "rejects.jsonl"
    # A real process (a FIFO that blocked would hang it, not this test run) with a secret in
    # its environment, which /proc/self/environ would hand over.
    ran = takedown(
        "import", f, *IMPORT, "--json", "--rejects", rejects, env={"TAKEDOWN_SECRET": MARKER}
    )
    summary = _summary(ran)
    assert (summary["accepted"], summary["rejected"]) == (1, len(refused))
    assert summary["rejected_by_reason"] == {"evidence_path: unavailable": len(refused)}
    got = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["values"]["evidence_path"] for r in got] == refused
    assert {r["reason"] for r in got} == {
        "evidence_path: not a regular file inside the evidence folder"
    }
    stored = _stored_bytes(settings_env)
    assert stored == [b"\x89PNG good evidence"]
    assert not any(MARKER.encode() in b or b"root:" in b for b in stored)
    with instance.session() as s:
        assert s.scalars(select(Evidence.filename)).all() == ["shot.png"]


def test_evidence_root_names_the_folder_evidence_is_read_from(
    cli, instance: Database, settings_env: Path, tmp_path: Path
) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "a.png").write_bytes(b"a")
    (tmp_path / "elsewhere").mkdir()
    f = _evidence_csv(tmp_path / "elsewhere", ["a.png", "../elsewhere/reports.csv"])
    first = _summary(cli("import", f, *IMPORT, "--json"))
    assert (first["accepted"], first["rejected"]) == (1, 1)  # only the file beside it is there
    second = _summary(cli("import", f, *IMPORT, "--json", "--evidence-root", shots))
    assert (second["accepted"], second["rejected"]) == (1, 1)  # the second leads out of shots
    assert sorted(_stored_bytes(settings_env)) == [b"a", f.read_bytes()]
    ran = cli("import", f, *IMPORT, "--evidence-root", tmp_path / "no-such-folder")
    assert ran.code == 2 and ran.err.startswith("error: ") and "--evidence-root" in ran.err


def test_evidence_over_the_cap_is_rejected_by_the_bytes_read(
    cli, instance: Database, settings_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_EVIDENCE_MAX_BYTES", "10")
    (tmp_path / "small.bin").write_bytes(b"x" * 10)
    (tmp_path / "big.bin").write_bytes(b"y" * 11)
    f = _evidence_csv(tmp_path, ["small.bin", "big.bin"])
    summary = _summary(cli("import", f, *IMPORT, "--json"))
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert summary["rejected_by_reason"] == {"evidence_path: too_big": 1}
    assert _stored_bytes(settings_env) == [b"x" * 10]


@pytest.mark.parametrize("pipeline", [False, True], ids=["one-process", "helper-process"])
def test_a_date_past_the_calendar_rejects_its_row_alone(
    cli, instance: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipeline: bool
) -> None:
    if pipeline:
        monkeypatch.setenv("TAKEDOWN_IMPORT_PIPELINE_FROM_BYTES", "0")
    good = [f"https://example.org/{n},2026-11-20T10:00:00Z" for n in range(30)]
    bad = [
        "https://example.org/late,9999-12-31T23:59:59-14:00",
        "https://example.org/early,0001-01-01T00:00:00+14:00",
        "https://example.org/year5,0005-01-01T00:00:00Z",
    ]
    f = tmp_path / "r.csv"
    f.write_text("url,reported_at\n" + "\n".join(good[:15] + bad + good[15:]) + "\n")
    summary = _summary(cli("import", f, *IMPORT, "--json"))
    assert (summary["accepted"], summary["rejected"]) == (30, 3)
    assert summary["rejected_by_reason"] == {"reported_at: future": 1, "reported_at: too_early": 2}
    with instance.session() as s:
        assert len(s.scalars(select(Report.id)).all()) == 30


def test_control_characters_and_long_values_reject_their_rows(
    cli, instance: Database, tmp_path: Path
) -> None:
    """On PostgreSQL these rows made the whole import fail; on SQLite they were stored."""
    f = tmp_path / "r.jsonl"
    rows = [
        {"url": "https://example.org/ok", "notes": "two\nlines\tand a tab"},
        {"url": "https://example.org/nul", "title": "a\u0000b"},
        {"url": "https://example.org/bell", "text": "ding\u0007"},
        {"url": "https://example.org/lang", "language": "x" * 36},
        {"url": "https://example.org/group", "group": "g" * 201},
        {"url": "https://example.org/ext", "external_id": "e" * 201},
        {"url": "https://example.org/type", "content_type": "t" * 65},
        {"url": "https://example.org/nl", "external_id": "a\nb"},
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    rejects = tmp_path / "rejects.jsonl"
    summary = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert (summary["accepted"], summary["rejected"]) == (1, 7)
    got = [(r["row"], r["field"]) for r in map(json.loads, rejects.read_text().splitlines())]
    assert got == [(2, "title"), (3, "text"), (4, "language"), (5, "group"),
                   (6, "external_id"), (7, "content_type"), (8, "external_id")]  # fmt: skip
    with instance.session() as s:
        assert s.scalars(select(Report.notes)).all() == ["two\nlines\tand a tab"]


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("rot13", "not a text encoding"),
        ("base64", "not a text encoding"),
        ("zlib", "not a text encoding"),
        ("idna", "not a text encoding"),
        ("undefined", "not a text encoding"),
        ("klingon-8", "unknown encoding"),
        ("utf-16", "not utf-16 text"),
    ],
)
def test_an_encoding_that_cannot_read_the_file_is_an_error_before_reading(
    cli, instance: Database, tmp_path: Path, encoding: str, said: str
) -> None:
    f = tmp_path / "r.csv"
    f.write_text("url,title\nhttps://example.org/1,café\n", encoding="utf-8")
    for extra in ((), ("--json",)):
        ran = cli("import", f, *IMPORT, "--encoding", encoding, *extra)
        assert ran.code == 2, (ran.out, ran.err)
        assert ran.err.startswith("error: ") and said in ran.err and encoding in ran.err
        assert "Traceback" not in ran.err
    assert json.loads(ran.out) == {"ok": False, "error": ran.err.removeprefix("error: ").strip()}
    with instance.session() as s:
        assert s.scalars(select(Report.id)).all() == []
