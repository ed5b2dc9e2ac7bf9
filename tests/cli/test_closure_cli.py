"""The closing loop from the command line: unserved platforms, stats --all, contacts,
questions and replies."""

from __future__ import annotations

import json

from takedown.interop.tabular import Row
from takedown.services import assessment, operations, referrals, responses, units
from takedown.services.intake import submit_reports
from takedown.store.db import Database

from .conftest import Cli


def _ready(db: Database, urls: list[str], op: str = "OP1") -> tuple[list[int], str]:
    """Report and assess URLs as DE-IRU; returns the items and an analyst token."""
    with db.session() as s:
        unit = units.get_unit(s, "DE-IRU")
        operation = operations.get_operation(s, op)
        _, token = units.create_token(s, unit, "analyst", actor="test")
    result = submit_reports(
        db, operation, unit, [Row(n, {"url": u}) for n, u in enumerate(urls, 1)],
        actor="test", source="test", keep_items=True,
    )  # fmt: skip
    ids = [a.item_id for a in sorted(result.items, key=lambda a: a.row)]
    who = units.principal_for(unit, "analyst")
    with db.session() as s:
        for item_id in ids:
            assessment.assess_item(s, who, item_id, verdict="terrorist_content", legal_grounds="a")
    return ids, token


def test_refer_refuses_an_unserved_platform_unless_allowed(cli: Cli, instance: Database) -> None:
    _, token = _ready(instance, ["https://x.com/lorem_ipsum/status/1234567890"])
    ran = cli("refer", "OP1", "--platform", "X", "--token", token)
    assert ran.code == 2
    assert ran.err.startswith(
        "error: no platform unit answers for 'x' (platforms served: telegram)"
    )
    assert "--allow-unserved" in ran.err
    ran = cli("refer", "OP1", "--platform", "x", "--allow-unserved", "--token", token, "--json")
    assert ran.code == 0, ran.err
    out = json.loads(ran.out)
    assert out["items"] == 1 and "manual export" in out["note"]


def test_stats_all_counts_each_piece_of_content_once(cli: Cli, instance: Database) -> None:
    with instance.session() as s:
        operations.create_operation(s, "OP2", actor="test")
    _ready(instance, ["https://t.me/all_a/1", "https://t.me/all_a/2"])
    _ready(instance, ["https://t.me/s/all_a/1"], op="OP2")  # the same post, another spelling
    ran = cli("stats", "--all", "--json")
    assert ran.code == 0, ran.err
    totals = json.loads(ran.out)
    assert (totals["operations"], totals["reports"], totals["items"]) == (2, 3, 2)
    text = cli("stats", "--all")
    assert "distinct pieces of content across operations" in text.out
    assert cli("stats").code == 2  # neither an operation nor --all


def test_a_unit_without_a_contact_is_created_with_a_warning(cli: Cli, instance: Database) -> None:
    ran = cli("unit", "create", "PL-IRU", "--kind", "referral_unit")
    assert ran.code == 0
    assert "warning: no --contact given" in ran.err
    quiet = cli("unit", "create", "CZ-IRU", "--kind", "referral_unit", "--contact", "a@cz.example")
    assert quiet.code == 0 and "warning" not in quiet.err


def test_a_question_is_listed_and_replied_to(cli: Cli, instance: Database) -> None:
    (item,), token = _ready(instance, ["https://t.me/ask_cli/1"])
    with instance.session() as s:
        de = units.principal_for(units.get_unit(s, "DE-IRU"), "analyst")
        referral = referrals.refer_items(s, de, operations.get_operation(s, "OP1"), "telegram")
        assert referral is not None
        agent = units.principal_for(units.get_unit(s, "TG"), "platform_agent")
        responses.answer_referral(
            s,
            agent,
            referral.id,
            [{"item_id": item, "action": "needs_clarification", "reason": "which one?"}],
        )
    listed = cli("question", "list", "--token", token, "--json")
    assert listed.code == 0, listed.err
    question = json.loads(listed.out)
    assert question["question"] == "which one?"
    replied = cli(
        "question", "reply", question["question_id"], "--text", "the first", "--token", token
    )
    assert replied.code == 0, replied.err
    assert "the platform sees it in its next pull" in replied.out
    assert cli("question", "list", "--token", token).out.strip() == (
        "no questions waiting for a reply"
    )
    empty = cli("question", "reply", question["question_id"], "--text", " ", "--token", token)
    assert empty.code == 2 and "empty" in empty.err
