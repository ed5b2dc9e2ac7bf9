"""`takedown import` and `takedown stats`: summaries, idempotence, and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import Item, Report

IMPORT = ("--operation", "OP1", "--unit", "DE-IRU")


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _summary(ran) -> dict:
    assert ran.code == 0, ran.err
    lines = ran.out.strip().splitlines()
    assert len(lines) == 1, ran.out
    return json.loads(lines[0])


def _reports(db: Database) -> list[Report]:
    with db.session() as s:
        return list(s.scalars(select(Report).order_by(Report.id)))


def _csv(n: int, start: int = 0) -> str:
    return "url,title\n" + "".join(
        f"https://example.org/page/{i},t{i}\n" for i in range(start, start + n)
    )


def test_import_summary_then_same_file_adds_nothing(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(tmp_path / "r.csv", _csv(30) + "https://example.org/page/0,again\n")
    first = _summary(cli("import", f, *IMPORT, "--json"))
    assert first["ok"] is True
    assert (first["rows_read"], first["accepted"], first["new_items"], first["merged"]) == (
        31,
        31,
        30,
        1,
    )
    assert (first["rejected"], first["duplicates"]) == (0, 0)
    second = _summary(cli("import", f, *IMPORT, "--json"))
    assert (second["rows_read"], second["accepted"], second["duplicates"]) == (31, 0, 31)
    assert (second["new_items"], second["merged"]) == (0, 0)
    assert len(_reports(instance)) == 31


def test_import_plain_summary_names_the_counts(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(tmp_path / "r.csv", _csv(3) + "https://,bad\n")
    ran = cli("import", f, *IMPORT)
    assert ran.code == 0
    assert "4 rows read, 3 accepted" in ran.out
    assert "1 rejected" in ran.out
    assert "url: invalid" in ran.out


def test_same_external_id_from_two_files_adds_nothing(
    cli, instance: Database, tmp_path: Path
) -> None:
    a = _write(tmp_path / "a.csv", "url,external_id\nhttps://example.org/a,DE-1\n")
    b = _write(tmp_path / "b.csv", "url,external_id,title\nhttps://example.org/a,DE-1,new title\n")
    _summary(cli("import", a, *IMPORT, "--json"))
    again = _summary(cli("import", b, *IMPORT, "--json"))
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    assert len(_reports(instance)) == 1


def test_two_units_one_item_and_stats(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(tmp_path / "r.csv", "url\nhttps://example.org/x\nhttps://example.org/y\n")
    g = _write(tmp_path / "s.csv", "url\nhttps://example.org/x?utm_source=a\n")
    _summary(cli("import", f, *IMPORT, "--json"))
    fr = _summary(cli("import", g, "--operation", "OP1", "--unit", "FR-IRU", "--json"))
    assert (fr["accepted"], fr["merged"], fr["new_items"]) == (1, 1, 0)
    stats = _summary(cli("stats", "OP1", "--json"))
    assert stats["reports"] == 3
    assert stats["items"] == 2
    assert stats["merged"] == 1
    assert stats["multi_unit_items"] == 1
    assert stats["by_unit"] == {
        "DE-IRU": {"reports": 2, "items": 2},
        "FR-IRU": {"reports": 1, "items": 1},
    }
    assert stats["by_state"] == {"new": 2}
    for key in ("by_platform", "by_kind"):
        assert isinstance(stats[key], dict) and sum(stats[key].values()) == 2
    plain = cli("stats", "OP1")
    assert plain.code == 0 and "reports" in plain.out and "FR-IRU" in plain.out


def test_rejects_csv_neutralises_formulas_while_the_db_keeps_text(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "r.csv",
        "url,title,reported_at\n"
        "https://example.org/ok,=cmd|' /C calc'!A0,\n"
        "https://example.org/bad,=cmd|' /C calc'!A0,not a date\n"
        "=cmd|' /C calc'!A0,x,\n",
    )
    rejects = tmp_path / "rejects.csv"
    summary = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert (summary["accepted"], summary["rejected"]) == (1, 2)
    with rejects.open(newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["row"], r["field"]) for r in got] == [("3", "reported_at"), ("4", "url")]
    assert all(r["reason"] for r in got)
    assert got[0]["title"] == "'=cmd|' /C calc'!A0"
    assert got[1]["url"].startswith("'=")
    cells = [v for r in got for v in r.values() if v]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)
    assert _reports(instance)[0].title == "=cmd|' /C calc'!A0"


def test_rejects_jsonl_names_row_field_and_reason(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "r.csv",
        "url,language\nhttps://example.org/1,de\n,de\nhttps://example.org/3," + "x" * 40 + "\n",
    )
    rejects = tmp_path / "rejects.jsonl"
    _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    got = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["row"], r["field"]) for r in got] == [(3, "url"), (4, "language")]
    assert "missing" in got[0]["reason"]
    assert got[1]["values"]["url"] == "https://example.org/3"


def test_rejects_file_keeps_the_cells_of_unreadable_rows(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(tmp_path / "r.csv", b"url,title\nhttps://example.org/1,caf\xe9\n")
    rejects = tmp_path / "rejects.csv"
    _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    with rejects.open(newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert got[0]["url"] == "https://example.org/1"
    assert got[0]["title"] == "caf\ufffd"


def test_wrong_encoding_rejects_those_rows_and_encoding_option_accepts_them(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "r.csv",
        "url,title\nhttps://example.org/1,café\nhttps://example.org/2,plain\n".encode("cp1252"),
    )
    rejects = tmp_path / "rejects.jsonl"
    first = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert (first["accepted"], first["rejected"]) == (1, 1)
    bad = json.loads(rejects.read_text().splitlines()[0])
    assert (bad["row"], bad["field"]) == (2, "title")
    assert "encoding" in bad["reason"]
    second = _summary(cli("import", f, *IMPORT, "--json", "--encoding", "cp1252"))
    assert (second["accepted"], second["duplicates"], second["rejected"]) == (1, 1, 0)
    assert {r.title for r in _reports(instance)} == {"café", "plain"}


def test_unknown_encoding_is_a_clear_error(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(tmp_path / "r.csv", _csv(1))
    ran = cli("import", f, *IMPORT, "--encoding", "klingon-8")
    assert ran.code == 2
    assert "klingon-8" in ran.err


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "utf8-bom.csv",
            "\ufeffURL,Title\nhttps://example.org/1,é\nhttps://example.org/2,b\n".encode(),
        ),
        (
            "utf16.csv",
            "url,title\r\nhttps://example.org/1,é\r\nhttps://example.org/2,b\r\n".encode("utf-16"),
        ),
        ("mixed.csv", b"url,title\r\nhttps://example.org/1,\xc3\xa9\nhttps://example.org/2,b\r"),
        ("semicolon.csv", "url;title\nhttps://example.org/1;é\nhttps://example.org/2;b\n".encode()),
        ("aliases.csv", "Link,Title\nhttps://example.org/1,é\nhttps://example.org/2,b\n".encode()),
        (
            "trailing-empty-cells.csv",
            "url,title\nhttps://example.org/1,é,,\nhttps://example.org/2,b\n".encode(),
        ),
        (
            "blank-lines.csv",
            "url,title\n\nhttps://example.org/1,é\n\n\nhttps://example.org/2,b\n".encode(),
        ),
    ],
)
def test_csv_variants_are_read(
    cli, instance: Database, tmp_path: Path, name: str, data: bytes
) -> None:
    summary = _summary(cli("import", _write(tmp_path / name, data), *IMPORT, "--json"))
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (2, 2, 0)
    assert [(r.url, r.title) for r in _reports(instance)] == [
        ("https://example.org/1", "é"),
        ("https://example.org/2", "b"),
    ]


def test_whitespace_lines_of_a_one_column_file_are_blank_not_rows(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(tmp_path / "r.csv", "url\nhttps://example.org/1\n   \n\nhttps://example.org/2\n")
    summary = _summary(cli("import", f, *IMPORT, "--json"))
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (2, 2, 0)


def test_unknown_columns_are_reported_as_ignored(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(tmp_path / "r.csv", "url,severity,title\nhttps://example.org/1,high,t\n")
    summary = _summary(cli("import", f, *IMPORT, "--json"))
    assert summary["accepted"] == 1
    assert summary["ignored_fields"] == ["severity"]


def test_extra_cells_reject_only_that_row(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "r.csv",
        "url,title\nhttps://example.org/1,a\nhttps://example.org/2,b,surprise\nhttps://example.org/3,c\n",
    )
    rejects = tmp_path / "rejects.jsonl"
    summary = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert (summary["accepted"], summary["rejected"]) == (2, 1)
    bad = json.loads(rejects.read_text())
    assert bad["row"] == 3 and "cells" in bad["reason"]


def test_embedded_nul_rejects_only_that_row(cli, instance: Database, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "r.csv", b"url,title\nhttps://example.org/1,a\x00b\nhttps://example.org/2,b\n"
    )
    rejects = tmp_path / "rejects.jsonl"
    summary = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    bad = json.loads(rejects.read_text())
    assert (bad["row"], bad["field"]) == (2, "title")
    assert "NUL" in bad["reason"]
    assert [r.url for r in _reports(instance)] == ["https://example.org/2"]


def test_jsonl_bad_lines_are_rejected_and_neighbours_kept(
    cli, instance: Database, tmp_path: Path
) -> None:
    f = _write(
        tmp_path / "r.jsonl",
        '{"url": "https://example.org/1", "title": "a"}\n'
        "{not json\n"
        "[1, 2]\n"
        '"a string"\n'
        '{"url": "https://example.org/5", "title": {"nested": true}}\n'
        "\n"
        '{"url": "https://example.org/7", "reported_at": "2026-11-01T12:00:00+01:00", "extra": 1}\n',
    )
    rejects = tmp_path / "rejects.jsonl"
    summary = _summary(cli("import", f, *IMPORT, "--json", "--rejects", rejects))
    assert summary["format"] == "jsonl"
    assert (summary["accepted"], summary["rejected"]) == (2, 4)
    assert summary["ignored_fields"] == ["extra"]
    got = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["row"], r["field"]) for r in got] == [
        (2, "row"),
        (3, "row"),
        (4, "row"),
        (5, "title"),
    ]
    assert "JSON" in got[0]["reason"] and "object" in got[1]["reason"]
    assert [r.url for r in _reports(instance)] == ["https://example.org/1", "https://example.org/7"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("no-url.csv", b"link_x,title,Notes\na,b,c\n", "found: link_x, title, Notes"),
        ("book.xlsx", b"PK\x03\x04" + b"\x00" * 64, "ZIP"),
        ("book.csv", b"PK\x03\x04" + b"\x00" * 64, "ZIP"),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "Office"),
        ("dup.csv", b"url,link\nhttps://example.org/1,x\n", "twice"),
    ],
)
def test_unreadable_files_get_a_clear_error(
    cli, instance: Database, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    ran = cli("import", _write(tmp_path / name, data), *IMPORT)
    assert ran.code == 2
    assert ran.err.startswith("error: ")
    assert message in ran.err
    assert "internal error" not in ran.err
    assert _reports(instance) == []


def test_missing_file_and_folder(cli, instance: Database, tmp_path: Path) -> None:
    missing = cli("import", tmp_path / "nope.csv", *IMPORT)
    assert missing.code == 2 and "no such file" in missing.err
    folder = cli("import", tmp_path, *IMPORT)
    assert folder.code == 2 and "not a regular file" in folder.err


def test_header_only_file_imports_nothing(cli, instance: Database, tmp_path: Path) -> None:
    summary = _summary(cli("import", _write(tmp_path / "r.csv", "url,title\n"), *IMPORT, "--json"))
    assert (summary["rows_read"], summary["accepted"]) == (0, 0)


def test_a_platform_unit_cannot_import(cli, instance: Database, tmp_path: Path) -> None:
    ran = cli("import", _write(tmp_path / "r.csv", _csv(1)), "--operation", "OP1", "--unit", "TG")
    assert ran.code == 2 and "platform" in ran.err


def test_stats_of_an_unknown_operation(cli, instance: Database) -> None:
    ran = cli("stats", "NOPE", "--json")
    assert ran.code == 2 and "NOPE" in ran.err


def test_import_keeps_the_audit_chain_intact(cli, instance: Database, tmp_path: Path) -> None:
    _summary(cli("import", _write(tmp_path / "r.csv", _csv(50)), *IMPORT, "--json"))
    with instance.session() as s:
        assert audit.verify_chain(s).ok
        assert s.scalar(select(func.count()).select_from(Item)) == 50


def test_import_json_error_is_an_object(cli, instance: Database, tmp_path: Path) -> None:
    ran = cli("import", _write(tmp_path / "empty.csv", b""), *IMPORT, "--json")
    assert ran.code != 0
    obj = json.loads(ran.out.strip().splitlines()[-1])
    assert obj["ok"] is False and "empty" in obj["error"]


# Through the installed command, as a user runs it: exit status 2, one line, no traceback.


def test_two_gigabyte_file_is_refused_by_size(takedown, instance: Database, tmp_path: Path) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as fh:
        fh.write(b"url\nhttps://example.org/1\n")
        fh.truncate(2 * 1024**3 + 1)  # sparse: no 2 GB written
    ran = takedown("import", big, *IMPORT)
    assert ran.code == 2
    assert "over the import limit" in ran.err and "TAKEDOWN_IMPORT_MAX_BYTES" in ran.err
    assert _reports(instance) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--operation", "NOPE", "--unit", "DE-IRU"), "unknown operation 'NOPE'"),
        (("--operation", "OP1", "--unit", "NOPE"), "unknown unit 'NOPE'"),
    ],
)
def test_unknown_operation_or_unit_subprocess(
    takedown, instance: Database, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    ran = takedown("import", _write(tmp_path / "r.csv", _csv(2)), *args)
    assert ran.code == 2
    assert message in ran.err
    assert _reports(instance) == []


def test_binary_garbage_subprocess(takedown, instance: Database, tmp_path: Path) -> None:
    f = _write(tmp_path / "r.csv", b"\x00\xff garbage\r\n\xe9\xe9,\x00\n\x80\x81")
    ran = takedown("import", f, *IMPORT, "--json")
    assert ran.code == 2
    assert ran.err.startswith("error: ") and "internal error" not in ran.err


def test_truncated_utf16_file_is_a_clear_error(
    takedown, instance: Database, tmp_path: Path
) -> None:
    data = "url,title\r\nhttps://example.org/1,a\r\n".encode("utf-16") + b"\n"
    ran = takedown("import", _write(tmp_path / "r.csv", data), *IMPORT, "--json")
    assert "internal error" not in ran.err
    assert ran.code in (0, 2)


def test_import_closes_its_file(instance: Database, settings_env: Path, tmp_path: Path) -> None:
    import gc
    import warnings

    from takedown.services.intake import import_file

    f = _write(tmp_path / "r.csv", _csv(3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        import_file(instance, "OP1", "DE-IRU", f, actor="test", max_bytes=10**6, batch_size=10,
                    evidence_root=tmp_path / "evidence", evidence_max_bytes=10**6)  # fmt: skip
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
