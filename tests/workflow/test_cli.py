"""CLI parity: assess → hold → refer → platform answer, each step a `takedown` subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import World

TAKEDOWN = Path(sys.executable).with_name("takedown")


def test_the_workflow_from_the_command_line(world: World, db_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TAKEDOWN_DATA_DIR": str(tmp_path / "var"),
        "TAKEDOWN_DATABASE_URL": db_url,
        "TAKEDOWN_TAXONOMY_FILE": str(
            Path(__file__).parents[1] / "data" / "taxonomy_invented.json"
        ),
    }
    env.pop("TAKEDOWN_TOKEN", None)

    def start(*args: str | int, token: str | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(TAKEDOWN), *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "TAKEDOWN_TOKEN": token} if token else env,
        )

    def finish(proc: subprocess.Popen[str]) -> str:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (proc.args, out, err)
        assert "Traceback" not in err
        return out

    def run(*args: str | int, token: str | None = None) -> str:
        return finish(start(*args, token=token))

    # independent steps run side by side: each subprocess spends seconds importing
    creating = [
        start("token", "create", "--unit", unit, "--role", role)
        for unit, role in (("DE-IRU", "analyst"), ("FR-IRU", "analyst"), ("TG", "platform_agent"))
    ]
    tokens = []
    for proc in creating:
        (line,) = finish(proc).splitlines()  # the token is the only line on stdout
        assert line.startswith("tdk_")
        tokens.append(line)
    analyst, holder, agent = tokens
    kept, held = world.report("de_analyst", ["https://t.me/cli_chan/1", "https://t.me/cli_chan/2"])
    assessing = [
        start("assess", item, "--verdict", "terrorist_content", "--ground", "a,c",
              "--group", "group-beta", "--json", token=analyst)
        for item in (kept, held)
    ]  # fmt: skip
    for proc in assessing:
        out = json.loads(finish(proc))
        assert (out["status"], out["item_state"]) == ("final", "ready")
    hold = json.loads(
        run(
            "hold",
            "place",
            "https://t.me/cli_chan/2",
            "--reason",
            "undercover",
            "--until",
            "2d",
            "--json",
            token=holder,
        )
    )
    assert (hold["status"], hold["reason"]) == ("held", "undercover")
    referral = json.loads(run("refer", "OP1", "--platform", "telegram", "--json", token=analyst))
    assert referral["items"] == 1
    (listed,) = [
        json.loads(line)
        for line in run("platform", "referrals", "--json", token=agent).splitlines()
    ]
    assert listed["id"] == referral["referral_id"]
    assert [i["item_id"] for i in listed["items"]] == [kept]
    answered = json.loads(
        run(
            "platform",
            "answer",
            referral["referral_id"],
            "--item",
            kept,
            "--action",
            "removed",
            "--json",
            token=agent,
        )
    )
    assert (answered["stored"], answered["status"]) == (1, "closed")
    assert world.state(kept) == "removed_claimed"
    assert world.state(held) == "held"
