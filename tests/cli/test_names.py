"""Names from a fixed vocabulary are checked where they come in: the CLI's options and the API.

The CLI folds case (``Telegram`` is ``telegram``); the API takes a name only as its enum spells
it. Either refuses an unknown name with the closest valid ones.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from takedown.config import Settings
from takedown.domain.names import choose, require
from takedown.domain.states import ItemState
from takedown.errors import UserError
from takedown.interop.tabular import Row
from takedown.services import operations, units
from takedown.services.intake import submit_reports
from takedown.store.db import Database
from takedown.store.referrals import Response
from takedown.urls.registry import platform_names
from takedown.web.app import create_app

from .conftest import Cli

with warnings.catch_warnings():
    # as in tests/workflow/conftest.py: Starlette's TestClient on httpx, not httpx2
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


def test_choose_folds_case_and_suggests_the_closest_names() -> None:
    names = platform_names()
    assert choose("platform", "Telegram", names) == "telegram"
    assert choose("platform", " YOUTUBE ", names) == "youtube"
    with pytest.raises(UserError) as typo:
        choose("platform", "telgram", names)
    assert str(typo.value).startswith("unknown platform 'telgram': did you mean telegram")
    with pytest.raises(UserError) as unlike:
        choose("item state", "zzz", ItemState)
    assert str(unlike.value).startswith("unknown item state 'zzz': ")
    assert "new" in str(unlike.value)  # no name is close: the valid ones are listed
    with pytest.raises(UserError, match=r"^unknown role 'x': use one of: a, b$"):
        choose("role", "x", ["a", "b"])


def test_require_takes_only_the_spelling_and_says_which_was_meant() -> None:
    names = platform_names()
    assert require("platform", "telegram", names) == "telegram"
    with pytest.raises(
        UserError, match=r"^platform 'Telegram' must be spelled exactly: did you mean telegram\?$"
    ):
        require("platform", "Telegram", names)
    with pytest.raises(UserError, match=r"^platform ' telegram' must be spelled exactly"):
        require("platform", " telegram", names)
    with pytest.raises(UserError, match=r"^unknown platform 'telgram': did you mean telegram"):
        require("platform", "telgram", names)
    with pytest.raises(UserError) as long:
        require("platform", "telegram" * 1000, names)
    assert len(str(long.value)) < 600  # a long value is cut short, and compared with nothing


@given(st.sampled_from(platform_names()), st.lists(st.booleans(), min_size=40, max_size=40))
def test_any_casing_of_a_valid_name_is_that_name(name: str, upper: list[bool]) -> None:
    spelled = "".join(c.upper() if up else c for c, up in zip(name, upper, strict=False))
    assert choose("platform", spelled, platform_names()) == name


@pytest.fixture
def tokens(instance: Database) -> dict[str, str]:
    with instance.session() as s:
        made = {}
        for caller, unit, role in (
            ("analyst", "DE-IRU", "analyst"),
            ("agent", "TG", "platform_agent"),
        ):
            _, made[caller] = units.create_token(s, units.get_unit(s, unit), role, actor="test")
    return made


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("items", "OP1", "--platform", "telgram"), "unknown platform 'telgram': did you mean telegram"),
        (("items", "OP1", "--state", "refered"), "unknown item state 'refered': did you mean referred"),
        (("refer", "OP1", "--platform", "youtub"), "unknown platform 'youtub': did you mean youtube"),
        (("assess", "1", "--verdict", "terorist_content"), "did you mean terrorist_content"),
        (("assess", "1", "--verdict", "exempt", "--group", "nobody-at-all"), "unknown group 'nobody-at-all'"),
    ],
)  # fmt: skip
def test_unknown_names_in_workflow_commands(
    cli: Cli, tokens: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    ran = cli(*args, "--token", tokens["analyst"])
    assert ran.code == 2
    assert ran.err.startswith("error: ") and message in ran.err, ran.err
    as_json = cli(*args, "--token", tokens["analyst"], "--json")
    assert as_json.code == 2 and message in json.loads(as_json.out)["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("platform", "referrals", "--status", "opne"), "unknown status 'opne': did you mean open"),
        (("platform", "answer", "1", "--item", "1", "--action", "remove"), "did you mean removed"),
        (("platform", "answer-order", "1", "--action", "declind"), "did you mean declined"),
    ],
)  # fmt: skip
def test_unknown_names_in_platform_commands(
    cli: Cli, tokens: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    ran = cli(*args, "--token", tokens["agent"])
    assert ran.code == 2 and message in ran.err, ran.err


def test_unknown_names_in_admin_commands(cli: Cli, instance: Database) -> None:
    kind = cli("unit", "create", "X", "--kind", "referal_unit")
    assert kind.code == 2 and "did you mean referral_unit" in kind.err
    plat = cli("unit", "create", "X", "--kind", "platform", "--platform", "tiktk")
    assert plat.code == 2 and "unknown platform 'tiktk': did you mean tiktok" in plat.err
    role = cli("token", "create", "--unit", "DE-IRU", "--role", "auditr")
    assert role.code == 2 and "unknown role 'auditr': did you mean auditor" in role.err
    status = cli("delivery", "list", "--status", "ded")
    assert status.code == 2 and "did you mean dead" in status.err


def test_names_are_taken_in_any_case(cli: Cli, instance: Database, tokens: dict[str, str]) -> None:
    made = cli("unit", "create", "YT", "--kind", "PLATFORM", "--platform", "YouTube", "--json")
    assert made.code == 0, made.err
    assert json.loads(made.out)["kind"] == "platform"
    listed = [json.loads(line) for line in cli("unit", "list", "--json").out.splitlines()]
    assert [u["platforms"] for u in listed if u["name"] == "YT"] == [["youtube"]]
    ran = cli(
        "items", "OP1", "--platform", "Telegram", "--state", "NEW", "--token", tokens["analyst"]
    )
    assert ran.code == 0, ran.err


# The API answers 422, in the usual shape, with the same message.


@pytest.fixture
def client(db_url: str, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url)
    with TestClient(create_app(settings, db)) as c:
        yield c


def test_the_api_refuses_unknown_names_with_suggestions(
    client: TestClient, tokens: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {tokens['analyst']}"}
    typo = client.get("/api/v1/operations/OP1/items", params={"platform": "telgram"}, headers=auth)
    assert typo.status_code == 422
    assert typo.json() == {
        "error": "invalid request",
        "problems": [
            {"field": "platform", "error": typo.json()["problems"][0]["error"]},
        ],
    }
    assert typo.json()["problems"][0]["error"].startswith(
        "unknown platform 'telgram': did you mean telegram"
    )
    # A program spells names as the schema's enums do: another case is refused, with the name.
    state = client.get("/api/v1/operations/OP1/items", params={"state": "Ready"}, headers=auth)
    assert state.status_code == 422, state.text
    assert state.json()["problems"] == [
        {
            "field": "state",
            "error": "item state 'Ready' must be spelled exactly: did you mean ready?",
        }
    ]
    exact = client.get("/api/v1/operations/OP1/items", params={"state": "ready"}, headers=auth)
    assert exact.status_code == 200, exact.text
    refer = client.post("/api/v1/operations/OP1/referrals", json={"platform": "tg"}, headers=auth)
    assert refer.status_code == 422
    assert refer.json()["problems"][0]["field"] == "platform"
    cased = client.post(
        "/api/v1/operations/OP1/referrals", json={"platform": "Telegram"}, headers=auth
    )
    assert cased.status_code == 422
    assert "did you mean telegram?" in cased.json()["problems"][0]["error"]
    sent = client.post(
        "/api/v1/operations/OP1/referrals", json={"platform": "telegram"}, headers=auth
    )
    assert sent.status_code == 201 and sent.json()["referral_id"] is None  # none ready
    verdict = client.post(
        "/api/v1/items/1/assessments", json={"verdict": "terrorist"}, headers=auth
    )
    assert verdict.status_code == 422
    (problem,) = verdict.json()["problems"]
    assert problem["field"] == "verdict" and "did you mean terrorist_content" in problem["error"]
    group = client.post(
        "/api/v1/items/1/assessments",
        json={"verdict": "exempt", "labels": {"group": "nobody-at-all"}},
        headers=auth,
    )
    assert group.status_code == 422
    assert group.json()["problems"][0]["field"] == "labels.group"
    assert "unknown group 'nobody-at-all'" in group.json()["problems"][0]["error"]


def test_the_cli_folds_case_before_calling_a_service(
    cli: Cli, instance: Database, tokens: dict[str, str]
) -> None:
    with instance.session() as s:
        unit = units.get_unit(s, "DE-IRU")
        operation = operations.get_operation(s, "OP1")
    rows = [Row(1, {"url": "https://t.me/fold_cli/1"}), Row(2, {"url": "https://t.me/fold_cli/2"})]
    done = submit_reports(
        instance, operation, unit, rows, actor="test", source="test", keep_items=True
    )
    first, second = sorted(a.item_id for a in done.items)
    analyst = ("--token", tokens["analyst"], "--json")
    for item in (first, second):
        assessed = cli(
            "assess", str(item), "--verdict", "Terrorist_Content", "--ground", "a", *analyst
        )
        assert assessed.code == 0, assessed.err
        assert json.loads(assessed.out)["item_state"] == "ready"
    referred = cli("refer", "OP1", "--platform", "TELEGRAM", *analyst)
    assert referred.code == 0, referred.err
    referral = json.loads(referred.out)["referral_id"]
    agent = ("--token", tokens["agent"], "--json")
    listed = cli("platform", "referrals", "--status", "OPEN", *agent)
    assert listed.code == 0 and json.loads(listed.out)["id"] == referral, listed.err
    impossible = cli(
        "platform", "answer", str(referral), "--item", str(first),
        "--action", "Impossible", "--reason", "Force_Majeure", *agent,
    )  # fmt: skip
    assert impossible.code == 0, impossible.err
    assert json.loads(impossible.out)["stored"] == 1
    restricted = cli(
        "platform", "answer", str(referral), "--item", str(second),
        "--action", "RESTRICTED", "--reason", "GEO", *agent,
    )  # fmt: skip
    assert restricted.code == 0, restricted.err
    assert json.loads(restricted.out) == {
        "referral_id": referral, "stored": 1, "unchanged": 0, "status": "closed"
    }  # fmt: skip
    unknown = cli(
        "platform", "answer", str(referral), "--item", str(first),
        "--action", "impossible", "--reason", "force_majeur", *agent,
    )  # fmt: skip
    assert unknown.code == 2 and "did you mean force_majeure" in unknown.err
    with instance.session() as s:
        reasons = {r.item_id: r.reason for r in s.scalars(select(Response).order_by(Response.id))}
    assert reasons == {first: "force_majeure", second: "geo"}  # stored as the API spells them


def test_an_orders_host_member_state_is_an_eu_code_in_any_case(
    cli: Cli, tokens: dict[str, str]
) -> None:
    order = ("order", "issue", "1", "--ground", "a", "--reasons", "r", "--redress", "r")
    ran = cli(*order, "--host-member-state", "GB", "--token", tokens["analyst"])
    assert ran.code == 2
    assert "--host-member-state: 'GB' is not an EU member state code" in ran.err, ran.err
    # "nl" passes the check and reaches the service, which asks who may issue orders
    folded = cli(*order, "--host-member-state", "nl", "--token", tokens["analyst"])
    assert folded.code != 0 and "member state" not in folded.err, folded.err
