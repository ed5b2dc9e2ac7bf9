"""How the CLI reports what went wrong, and how it reads to a person.

A refusal is not a bug: ``forbidden: …`` exits 3, a refused request ``error: …`` exits 2, and
``internal error`` (exit 1) is kept for real bugs. With ``--json`` each error is one object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from takedown.interop.tabular import Row
from takedown.reports.stats import operation_stats
from takedown.services import assessment, banks, operations, referrals, units
from takedown.services.intake import submit_reports
from takedown.store.db import Database
from takedown.store.models import ApiToken, Unit

from .conftest import Cli, Ran


@dataclass
class Setup:
    db: Database
    token: dict[str, str]

    def report(self, urls: list[str], unit: str = "DE-IRU", op: str = "OP1") -> list[int]:
        rows = [Row(n, {"url": url}) for n, url in enumerate(urls, start=1)]
        with self.db.session() as s:
            operation = operations.get_operation(s, op)
            owner = s.scalar(select(Unit).where(Unit.name == unit))
            assert owner is not None
        result = submit_reports(
            self.db, operation, owner, rows, actor="test", source="api", keep_items=True
        )
        assert result.rejected == 0, result.rejections
        return [a.item_id for a in sorted(result.items, key=lambda a: a.row)]

    def who(self, caller: str) -> units.Principal:
        with self.db.session() as s:
            who = units.authenticate_token(s, self.token[caller])
        assert who is not None
        return who


CALLERS = {
    "analyst": ("DE-IRU", "analyst"),
    "senior": ("DE-CA", "senior_assessor"),
    "auditor": ("EU-OVERSIGHT", "auditor"),
    "agent": ("TG", "platform_agent"),
}


@pytest.fixture
def setup(instance: Database) -> Setup:
    """tests/cli's instance, a competent authority DE-CA, an oversight unit, one token each."""
    with instance.session() as s:
        units.create_unit(
            s,
            "DE-CA",
            "referral_unit",
            actor="test",
            member_state="DE",
            competent_authority=True,
        )
        units.create_unit(s, "EU-OVERSIGHT", "oversight", actor="test")
        token = {}
        for caller, (unit, role) in CALLERS.items():
            _, token[caller] = units.create_token(s, units.get_unit(s, unit), role, actor="test")
    return Setup(instance, token)


def _one_json_error(ran: Ran) -> str:
    (line,) = ran.out.splitlines()
    obj = json.loads(line)
    assert obj["ok"] is False and set(obj) == {"ok", "error"}
    return str(obj["error"])


# The refusal classes, each reported its own way.


def test_a_permission_refusal_is_forbidden_with_exit_status_3(cli: Cli, setup: Setup) -> None:
    (item,) = setup.report(["https://t.me/lorem_chan/1"])
    ran = cli("assess", item, "--verdict", "terrorist_content", "--token", setup.token["auditor"])
    assert ran.code == 3
    assert ran.err.startswith("forbidden: an auditor of an oversight unit may not assess items")
    assert "internal error" not in ran.err and "Traceback" not in ran.err
    as_json = cli(
        "assess", item, "--verdict", "exempt", "--token", setup.token["auditor"], "--json"
    )
    assert as_json.code == 3
    assert _one_json_error(as_json).startswith("forbidden: an auditor of an oversight unit")


def test_a_refused_request_is_an_error_with_exit_status_2(cli: Cli, setup: Setup) -> None:
    ran = cli("items", "NOPE", "--token", setup.token["analyst"])
    assert ran.code == 2
    assert ran.err.startswith("error: ") and "NOPE" in ran.err
    as_json = cli("items", "NOPE", "--token", setup.token["analyst"], "--json")
    assert as_json.code == 2 and "NOPE" in _one_json_error(as_json)


def test_a_bad_option_value_is_an_error_too(cli: Cli, setup: Setup) -> None:
    ran = cli("items", "OP1", "--token", setup.token["analyst"], "--limit", "many")
    assert ran.code == 2
    assert ran.err.startswith("error: ") and "--limit" in ran.err
    assert "takedown items --help" in ran.err  # and how to get help
    as_json = cli("items", "OP1", "--token", setup.token["analyst"], "--limit", "0", "--json")
    assert as_json.code == 2 and "--limit" in _one_json_error(as_json)


def test_invalid_settings_are_an_error_not_a_bug(
    cli: Cli, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_WORKERS", "several")
    ran = cli("operation", "list")
    assert ran.code == 2
    assert ran.err.startswith("error: invalid ") and "workers" in ran.err
    assert "'several'" in ran.err


def test_a_bug_is_an_internal_error_with_its_traceback_only_when_debugging(
    cli: Cli, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("four_eyes")

    monkeypatch.setattr(operations, "list_operations", broken)
    monkeypatch.delenv("TAKEDOWN_DEBUG", raising=False)
    ran = cli("operation", "list")
    assert ran.code == 1
    assert ran.err.startswith("internal error: KeyError: 'four_eyes'")
    assert "Traceback" not in ran.err and "TAKEDOWN_DEBUG=1" in ran.err
    as_json = cli("operation", "list", "--json")
    assert as_json.code == 1
    assert _one_json_error(as_json) == "internal error: KeyError: 'four_eyes'"
    monkeypatch.setenv("TAKEDOWN_DEBUG", "1")
    debugging = cli("operation", "list")
    assert debugging.code == 1
    assert "Traceback (most recent call last)" in debugging.err
    assert "list_operations" in debugging.err or "broken" in debugging.err


def test_refusals_read_as_english(cli: Cli, setup: Setup) -> None:
    ran = cli("platform", "orders", "--token", setup.token["analyst"])
    assert ran.code == 3
    assert ran.err.strip() == (
        "forbidden: an analyst of a referral unit may not read the referrals and orders "
        "addressed to a platform; only a platform agent of a platform unit may"
    )
    assert "@" not in ran.err and "platform.read" not in ran.err


# Token, bank and init messages.


def test_token_list_shows_who_and_until_when_never_the_secret(cli: Cli, setup: Setup) -> None:
    made = cli("token", "create", "--unit", "DE-IRU", "--role", "Analyst", "--expires", "2d")
    assert made.code == 0, made.err
    secret = made.out.strip()
    listed = cli("token", "list")
    assert listed.code == 0, listed.err
    assert secret not in listed.out + listed.err
    assert all(s not in listed.out for s in setup.token.values())
    lines = listed.out.splitlines()
    assert len(lines) == 5  # the four of the setup and the new one
    newest = lines[-1].split("\t")
    assert newest[1:4] == ["DE-IRU", "analyst", "active"]
    assert re.fullmatch(r"expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", newest[5])
    rows = [json.loads(line) for line in cli("token", "list", "--json").out.splitlines()]
    assert {r["role"] for r in rows} == {"analyst", "senior_assessor", "auditor", "platform_agent"}
    assert all(secret not in json.dumps(r) for r in rows)
    assert not any("hash" in key or "secret" in key for r in rows for key in r)
    with setup.db.session() as s:
        newest_id = max(s.scalars(select(ApiToken.id)))
    assert cli("token", "revoke", str(newest_id)).code == 0
    assert str(newest_id) not in [ln.split("\t")[0] for ln in cli("token", "list").out.splitlines()]
    every = cli("token", "list", "--all", "--unit", "DE-IRU")
    assert [ln.split("\t")[3] for ln in every.out.splitlines()] == ["active", "revoked"]


def test_token_list_of_a_unit_without_tokens_says_so(cli: Cli, setup: Setup) -> None:
    ran = cli("token", "list", "--unit", "FR-IRU")
    assert ran.code == 0 and ran.out == ""
    assert "no usable tokens" in ran.err


def test_bank_list_without_banks_says_so(cli: Cli, setup: Setup) -> None:
    empty = cli("bank", "list")
    assert empty.code == 0 and empty.out == ""
    assert "no banks yet" in empty.err and "takedown bank create" in empty.err
    assert cli("bank", "list", "--json").out == ""  # JSON lines: none
    with setup.db.session() as s:
        banks.create_bank(s, "known", actor="test")
    listed = cli("bank", "list")
    assert listed.out.startswith("known\t0\tenabled") and "no banks" not in listed.err


# Paging, stats and orders as a person reads them.


def test_items_come_a_page_at_a_time(cli: Cli, setup: Setup) -> None:
    ids = setup.report([f"https://t.me/lorem_chan/{n}" for n in range(1, 6)])
    token = ("--token", setup.token["analyst"])
    first = cli("items", "OP1", *token, "--limit", "2")
    assert first.code == 0, first.err
    assert [int(line.split("\t")[0]) for line in first.out.splitlines()] == ids[:2]
    assert f"--after {ids[1]}" in first.err and "--all" in first.err
    second = cli("items", "OP1", *token, "--limit", "2", "--after", str(ids[1]), "--json")
    assert [json.loads(line)["item_id"] for line in second.out.splitlines()] == ids[2:4]
    last = cli("items", "OP1", *token, "--limit", "2", "--after", str(ids[3]))
    assert last.out.count("\n") == 1 and "more items" not in last.err
    every = cli("items", "OP1", *token, "--limit", "2", "--all")
    assert [int(line.split("\t")[0]) for line in every.out.splitlines()] == ids
    assert "more items" not in every.err
    default = cli("items", "OP1", *token)
    assert default.out.count("\n") == 5


def _keys(value: object) -> set[str]:
    if not isinstance(value, dict):
        return set()
    return {str(k) for k in value} | {k for v in value.values() for k in _keys(v)}


def test_stats_text_shows_every_figure_of_the_json_with_its_definition(
    cli: Cli, setup: Setup
) -> None:
    setup.report(["https://t.me/lorem_chan/1", "https://youtu.be/dQw4w9WgXcQ"])
    setup.report(["https://t.me/lorem_chan/1"], unit="FR-IRU")
    ran = cli("stats", "OP1")
    assert ran.code == 0, ran.err
    stats = json.loads(cli("stats", "OP1", "--json").out)
    figures = {k: v for k, v in stats.items() if k not in ("operation", "definitions")}
    names = {line.split()[0] for line in ran.out.splitlines()[1:] if line.strip()}
    assert _keys(figures) <= names, _keys(figures) - names
    for definition in stats["definitions"].values():
        assert definition in ran.out
    per_unit = "distinct items it reported (an item reported by several units counts for each)"
    (de_items,) = [
        line for line in ran.out.split("DE-IRU", 1)[1].splitlines() if line.split()[:1] == ["items"]
    ][:1]
    assert de_items.split()[1] == "2" and de_items.endswith(per_unit)


def test_stats_text_follows_new_figures(
    cli: Cli, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A figure added to reports/stats.py shows in the text without a change to the CLI."""
    import takedown.cli.intake as intake_cli

    def more(session: object, op: object, **kw: object) -> dict[str, object]:
        out = operation_stats(session, op, **kw)  # type: ignore[arg-type]
        out["reappeared"] = 7
        out["by_language"] = {"xx": 3}
        out["definitions"] = {**out["definitions"], "reappeared": "items that came back"}
        return out

    monkeypatch.setattr(intake_cli, "operation_stats", more)
    ran = cli("stats", "OP1")
    assert re.search(r"^  reappeared +7  items that came back$", ran.out, re.MULTILINE)
    assert re.search(r"^  by_language\n    xx +3$", ran.out, re.MULTILINE)


def test_order_show_reads_as_text(cli: Cli, setup: Setup) -> None:
    (item,) = setup.report(["https://t.me/lorem_chan/7"], unit="DE-CA")
    senior = setup.who("senior")
    with setup.db.session() as s:
        assessment.assess_item(s, senior, item, verdict="terrorist_content", legal_grounds="a,c")
        order = referrals.issue_removal_order(
            s, senior, item, grounds="a,c", reasons="r", redress="court"
        )
        order_id = order.id
    ran = cli("order", "show", order_id, "--token", setup.token["senior"])
    assert ran.code == 0, ran.err
    assert "grounds: a, c" in ran.out and "['a', 'c']" not in ran.out
    assert re.search(r"^issued at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", ran.out, re.MULTILINE)
    assert not re.search(r"\d\dT\d\d:|\.\d{6}|\+00:00", ran.out)  # no raw ISO 8601
    assert "non disclosure: no" in ran.out and "due at: -" in ran.out  # not received yet
    assert "None" not in ran.out and "{" not in ran.out
    as_json = json.loads(
        cli("order", "show", order_id, "--token", setup.token["senior"], "--json").out
    )
    assert as_json["grounds"] == ["a", "c"] and as_json["order_id"] == order_id


# `takedown verify`: why a URL was refused, a summary, and a progress bar on a terminal.


def _referred(setup: Setup, urls: list[str]) -> list[int]:
    ids = setup.report(urls)
    who = setup.who("analyst")
    with setup.db.session() as s:
        for item in ids:
            assessment.assess_item(s, who, item, verdict="terrorist_content", legal_grounds="a")
        sent = referrals.refer_items(s, who, operations.get_operation(s, "OP1"), "telegram")
        assert sent is not None
    return ids


LOOPBACK = ("--connect-to", "t.me:443:127.0.0.1:9")  # the guard refuses it: nothing is fetched


def test_verify_says_why_a_url_was_refused_and_sums_up(cli: Cli, setup: Setup) -> None:
    ids = _referred(setup, ["https://t.me/lorem_chan/1", "https://t.me/lorem_chan/2"])
    ran = cli("verify", "OP1", *LOOPBACK)
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    for item in ids:
        (row,) = [ln for ln in lines if ln.startswith(f"{item}\t")]
        assert row.split("\t")[1].strip() == "unknown"
        assert row.endswith("refused: address 127.0.0.1 is loopback")
    assert "checked 2: 0 online, 0 removed, 0 restricted, 0 unreachable, 2 unknown" in lines
    assert "refused 2 (never fetched; counted as unknown):" in lines
    assert re.search(r"^ +2  address 127\.0\.0\.1 is loopback$", ran.out, re.MULTILINE)
    as_json = cli("verify", "OP1", *LOOPBACK, "--json")
    rows = [json.loads(line) for line in as_json.out.splitlines()]
    assert [r["item_id"] for r in rows] == ids  # one object per item, and no summary
    assert all(r["reason"].startswith("refused: ") for r in rows)


def test_verify_shows_a_progress_bar_only_on_a_terminal(
    cli: Cli, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    import takedown.cli.verification as verification_cli

    _referred(setup, ["https://t.me/lorem_chan/1", "https://t.me/lorem_chan/2"])
    plain = cli("verify", "OP1", *LOOPBACK)
    assert "checking" not in plain.out + plain.err
    monkeypatch.setattr(verification_cli, "Console", lambda: Console(force_terminal=True))
    on_tty = cli("verify", "OP1", *LOOPBACK)
    assert on_tty.code == 0, on_tty.err
    assert "checking" in on_tty.out and "checked 2:" in on_tty.out
    as_json = cli("verify", "OP1", *LOOPBACK, "--json")
    assert "checking" not in as_json.out  # JSON lines stay JSON lines
    rows = [json.loads(line) for line in as_json.out.splitlines()]
    assert len(rows) == 2 and all("item_id" in r for r in rows)
