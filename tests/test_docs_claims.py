"""Claims the docs make about the code, held by tests: when the code changes, the doc must.

tests/test_docs.py holds the settings table and the CLI reference; this file holds the rest:
every `TAKEDOWN_*` variable is documented, the sample files exist and import as
getting-started.md says, the API's missing-token answer, and what media.md, operations.md,
concepts.md and checker.md say about dependencies, signals, stopping and settings.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import tomllib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from takedown.config import ClientSettings, Settings, get_settings
from takedown.media.signals import SIGNAL_TYPES
from takedown.services import operations, units
from takedown.store.db import Database

with warnings.catch_warnings():
    # Starlette deprecates its TestClient on httpx in favour of httpx2 (see tests/web).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
VARIABLE = re.compile(r"\bTAKEDOWN_[A-Z0-9_]*[A-Z0-9]\b")


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


# -- settings.md: every variable takedown reads --------------------------------------------


def _variables_in(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def _variables_read() -> set[str]:
    """Every TAKEDOWN_* name in src/takedown, and the fields of both settings classes (read
    as TAKEDOWN_<FIELD>, a name the source never spells out)."""
    names = _variables_in(ROOT / "src" / "takedown")
    for settings in (Settings, ClientSettings):
        names |= {f"TAKEDOWN_{field.upper()}" for field in settings.model_fields}
    return names


def test_every_takedown_variable_is_documented() -> None:
    text = _doc("settings.md")
    missing = sorted(n for n in _variables_read() if f"`{n}`" not in text)
    assert missing == [], f"read by takedown but missing from docs/settings.md: {missing}"


def test_every_documented_variable_is_read() -> None:
    """settings.md lists nothing that nothing reads (tests included, for the test-only ones)."""
    documented = set(re.findall(r"^\| `(TAKEDOWN_[A-Z0-9_]+)` \|", _doc("settings.md"), re.M))
    read = _variables_read() | _variables_in(ROOT / "tests")
    assert sorted(documented - read) == []


# -- getting-started.md: the sample files exist and import as the page says ------------------


def test_every_examples_path_in_the_docs_exists() -> None:
    mentioned: set[str] = set()
    for doc in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        text = doc.read_text(encoding="utf-8")
        mentioned |= set(re.findall(r"docs/(examples/[\w./-]*\w)", text))
        if doc.parent == DOCS:  # relative links from docs/*.md
            mentioned |= set(re.findall(r"\]\((examples/[\w./-]*\w)\)", text))
    assert mentioned, "no docs/examples/ file is mentioned"
    missing = sorted(m for m in mentioned if not (DOCS / m).is_file())
    assert missing == [], f"mentioned in the docs but not in the repository: {missing}"
    unused = sorted(
        p.relative_to(DOCS).as_posix()
        for p in EXAMPLES.iterdir()
        if p.relative_to(DOCS).as_posix() not in mentioned
    )
    assert unused == [], f"in docs/examples/ but mentioned in no doc: {unused}"


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    settings_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """`takedown ARGS` through the real entry point, in this process (as in tests/cli)."""
    from takedown.cli import main

    def run(*args: str | Path) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["takedown", *map(str, args)])
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def action_day(db: Database, settings_env: Path) -> Database:
    """What getting-started.md creates before it imports: the operation and two units."""
    with db.session() as s:
        operations.create_operation(s, "action-day-1", actor="test")
        units.create_unit(s, "IRU-DE", "referral_unit", actor="test", member_state="DE")
        units.create_unit(s, "IRU-FR", "referral_unit", actor="test", member_state="FR")
    return db


def _import(cli: Cli, name: str, unit: str, *extra: str | Path) -> dict[str, object]:
    code, out, err = cli(
        "import", EXAMPLES / name, "--operation", "action-day-1", "--unit", unit, "--json", *extra
    )
    assert code == 0, err
    summary: dict[str, object] = json.loads(out)
    assert summary["ok"] is True
    return summary


def test_the_sample_files_import_as_getting_started_says(
    cli: Cli, action_day: Database, tmp_path: Path
) -> None:
    text = _flat(_doc("getting-started.md"))
    rejects = tmp_path / "rejects-de.csv"
    de = _import(cli, "reports-de.csv", "IRU-DE", "--rejects", rejects)
    assert "has six reports; five are accepted and the last (row 7" in text
    assert (de["rows_read"], de["accepted"], de["rejected"]) == (6, 5, 1)
    assert rejects.read_text(encoding="utf-8").splitlines()[1].startswith("7,url,")
    fr = _import(cli, "reports-fr.jsonl", "IRU-FR")
    assert "has three; two of them point at content IRU-DE already reported" in text
    assert '(`"merged": 2`)' in text
    assert (fr["rows_read"], fr["accepted"], fr["merged"]) == (3, 3, 2)
    code, out, err = cli("stats", "action-day-1", "--json")
    assert code == 0, err
    stats = json.loads(out)
    assert "counts 8 reports, 6 items and 2 items reported by both units" in text
    assert (stats["reports"], stats["items"], stats["multi_unit_items"]) == (8, 6, 2)


def test_every_sample_file_imports(cli: Cli, action_day: Database) -> None:
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix in (".csv", ".jsonl"):
            summary = _import(cli, path.name, "IRU-DE")
            assert summary["accepted"], path.name


# -- api.md: the answers to a request without a valid token ---------------------------------


@pytest.fixture
def client(db: Database, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from takedown.web.app import create_app

    settings = Settings(data_dir=tmp_path / "var", database_url=db_url)
    with TestClient(create_app(settings, db)) as c:
        yield c


def _documented_answer(after: str) -> object:
    """The JSON body api.md quotes right after ``after`` (its Authentication section)."""
    text = _flat(_doc("api.md"))
    found = re.search(re.escape(after) + r".*?`(\{[^`]*\})`", text)
    assert found, f"docs/api.md no longer says {after!r}"
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    ("headers", "after"),
    [
        ({}, "A request without a token gets `401`"),
        ({"Authorization": "Bearer tdk_not-a-token"}, "an unknown, expired or revoked token gets"),
    ],
)
def test_a_request_without_a_valid_token_gets_the_documented_answer(
    client: TestClient, headers: dict[str, str], after: str
) -> None:
    response = client.get("/api/v1/platform/referrals", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == _documented_answer(after)


# -- what the other pages say about the code -------------------------------------------------


def test_media_md_says_whether_numba_is_a_dependency() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    required = any(
        re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0] == "numba"
        for dep in pyproject["project"]["dependencies"]
    )
    text = _flat(_doc("media.md"))
    assert ("numba is a dependency of takedown" in text) is required
    assert "nothing requires it" not in text


def test_operations_md_on_sigterm_matches_the_worker() -> None:
    """`takedown worker` runs Huey's consumer, whose graceful signal is SIGINT: SIGTERM stops
    it at once. When the worker makes SIGTERM graceful (issue 19), operations.md must say so."""
    from huey.consumer import Consumer

    from takedown.jobs.runner import consumer_options

    graceful = inspect.signature(Consumer.__init__).parameters["graceful_signal"].default
    options = consumer_options(Settings(), 1)
    sigterm_stops_at_once = graceful == "INT" and options.get("graceful_signal", "INT") == "INT"
    text = _flat(_doc("operations.md"))
    assert ("**SIGTERM stops it at once**" in text) is sigterm_stops_at_once
    assert ("Planned (issue 19, scale and resilience)" in text) is sigterm_stops_at_once


def test_concepts_md_names_the_signal_types_that_exist() -> None:
    (row,) = [line for line in _doc("concepts.md").splitlines() if line.startswith("| signal |")]
    built = row.split("|")[2].split(";")[0]  # before "; `text` signals are planned"
    assert set(re.findall(r"`(\w+)`", built)) == set(SIGNAL_TYPES)
    for name in re.findall(r"`(\w+)` signals are \*planned\*", row):
        assert name not in SIGNAL_TYPES, f"{name} signals exist: concepts.md still says planned"


def test_checker_md_names_the_checker_settings() -> None:
    text = _doc("checker.md")
    for name in Settings.model_fields:
        if name.startswith("checker_"):
            assert f"`TAKEDOWN_{name.upper()}`" in text, name
    assert "not yet `TAKEDOWN_*` settings" not in text


def test_the_answer_window_default_is_the_documented_one() -> None:
    default = Settings.model_fields["answer_window_days"].default
    assert "| `TAKEDOWN_ANSWER_WINDOW_DAYS` | `7` |" in _doc("settings.md")
    assert "(`TAKEDOWN_ANSWER_WINDOW_DAYS`, default 7 days" in _flat(_doc("workflow.md"))
    assert default == 7
