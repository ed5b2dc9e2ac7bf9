"""``takedown url parse``: one JSON object per input, in order, errors as objects."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from takedown.cli import app


def test_parse_arguments_as_json_lines() -> None:
    result = CliRunner().invoke(
        app, ["url", "parse", "--json", "t.me/Lorem_News/42", "javascript:x"]
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["ok"] is True and rows[0]["key"] == "telegram:post:lorem_news/42"
    assert set(rows[0]) == {
        "input",
        "ok",
        "canonical_url",
        "platform",
        "kind",
        "account",
        "id",
        "key",
        "parents",
        "flags",
    }
    assert rows[1] == {"input": "javascript:x", "ok": False, "error": rows[1]["error"]}
    assert "javascript" in rows[1]["error"]
    assert result.exit_code == 1


def test_parse_reads_stdin_in_order_without_traceback() -> None:
    stdin = b"https://youtu.be/aBcDeFgHi_0\n\nhttps://ex\x00ample.org/\n\xff\xfe\nx.com/lorem\n"
    proc = subprocess.run(
        [sys.executable, "-c", "from takedown.cli import main; main()", "url", "parse", "--json"],
        input=stdin, capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["ok"] for r in rows] == [True, False, False, False, True]
    assert rows[-1]["key"] == "x:account:lorem"
    assert b"Traceback" not in proc.stderr
