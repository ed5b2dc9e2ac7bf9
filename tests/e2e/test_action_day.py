"""Acceptance: a referral action day over HTTP against a running `takedown serve`.

Three referral units (one a competent authority) and two platforms, from reports to platform
answers. SQLite by default; on TAKEDOWN_TEST_DATABASE_URL's PostgreSQL when it is set, with
RedisHuey (redis://127.0.0.1:6379/15) when Redis answers there.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

TAKEDOWN = Path(sys.executable).with_name("takedown")
PG_URL = os.environ.get("TAKEDOWN_TEST_DATABASE_URL")
REDIS = ("127.0.0.1", 6379)
OP = "ACTION-DAY"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Instance:
    env: dict[str, str]
    base: str
    tokens: dict[str, str]
    log: Path

    def client(self, caller: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base + "/api/v1",
            headers={"Authorization": f"Bearer {self.tokens[caller]}"},
            timeout=30,
        )


def _parallel(env: dict[str, str], commands: list[list[str]]) -> list[str]:
    """Run independent CLI commands side by side; each spends seconds importing."""
    procs = [
        subprocess.Popen(
            [str(TAKEDOWN), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for args in commands
    ]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (proc.args, out, err)
        assert "Traceback" not in err
        outs.append(out)
    return outs


@pytest.fixture
def instance(db_url: str, tmp_path: Path) -> Iterator[Instance]:
    env = {
        **os.environ,
        "TAKEDOWN_DATA_DIR": str(tmp_path / "var"),
        "TAKEDOWN_DATABASE_URL": db_url,
        "TAKEDOWN_LOG_LEVEL": "warning",
        "TAKEDOWN_TAXONOMY_FILE": str(
            Path(__file__).parents[1] / "data" / "taxonomy_invented.json"
        ),
    }
    for name in ("TAKEDOWN_TOKEN", "TAKEDOWN_QUEUE_URL"):
        env.pop(name, None)
    if PG_URL:
        if _redis_answers():
            env["TAKEDOWN_QUEUE_URL"] = "redis://127.0.0.1:6379/15"
        elif os.environ.get("CI") == "true":
            pytest.fail("CI: Redis does not answer on 127.0.0.1:6379; the acceptance needs it")
    init = json.loads(_parallel(env, [["init", "--json"]])[0])
    assert init["ok"] is True
    _parallel(
        env,
        [
            ["operation", "create", OP, "--description", "referral action day"],
            [
                "unit",
                "create",
                "DE-IRU",
                "--kind",
                "referral_unit",
                "--competent-authority",
                "--member-state",
                "DE",
                "--contact",
                "iru@de.example",
            ],
            ["unit", "create", "FR-IRU", "--kind", "referral_unit", "--contact", "iru@fr.example"],
            [
                "unit",
                "create",
                "NL-IRU",
                "--kind",
                "referral_unit",
                "--member-state",
                "NL",
                "--contact",
                "iru@nl.example",
            ],
            ["unit", "create", "TG", "--kind", "platform", "--platform", "telegram"],
            ["unit", "create", "YT", "--kind", "platform", "--platform", "youtube"],
        ],
    )
    callers = {
        "de": ("DE-IRU", "analyst"),
        "de_senior": ("DE-IRU", "senior_assessor"),
        "fr": ("FR-IRU", "analyst"),
        "nl": ("NL-IRU", "analyst"),
        "tg": ("TG", "platform_agent"),
        "yt": ("YT", "platform_agent"),
    }
    outs = _parallel(
        env,
        [
            ["token", "create", "--unit", u, "--role", r, "--expires", "1d"]
            for u, r in callers.values()
        ],
    )
    tokens = {}
    for name, out in zip(callers, outs, strict=True):
        (line,) = out.splitlines()
        tokens[name] = line
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [str(TAKEDOWN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz in 60 s"
            time.sleep(0.1)
        yield Instance(env, base, tokens, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def _all_items(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every item of the operation, following `next`, by key."""
    out: dict[str, dict[str, Any]] = {}
    cursor: int | None = 0
    while cursor is not None:
        r = api.get(f"/operations/{OP}/items", params={"cursor": cursor, "limit": 3})
        assert r.status_code == 200, r.text
        page = r.json()
        out |= {i["key"]: i for i in page["items"]}
        cursor = page["next"]
    return out


def test_action_day(instance: Instance) -> None:
    de, de_senior, fr, nl = (instance.client(n) for n in ("de", "de_senior", "fr", "nl"))
    tg, yt = instance.client("tg"), instance.client("yt")

    # 1. Reports from three units; overlapping URLs merge into one item.
    batches = {
        de: [
            {"url": "https://t.me/ad_chan/1", "notes": "DE only", "external_id": "DE-1"},
            {"url": "https://t.me/ad_chan/2"},
            {"url": "https://t.me/ad_chan/3"},
            {"url": "https://t.me/ad_chan/4"},
            {"url": "https://t.me/ad_other/1"},
            {"url": "https://www.youtube.com/watch?v=CCCCCCCCCCC"},
        ],
        fr: [
            {"url": "https://t.me/s/ad_chan/1", "notes": "FR only"},
            {"url": "https://t.me/ad_chan/2?single"},
            {"url": "https://www.youtube.com/watch?v=DDDDDDDDDDD"},
        ],
        nl: [{"url": "https://t.me/ad_chan/1"}, {"url": "https://youtu.be/CCCCCCCCCCC"}],
    }
    for api, reports in batches.items():
        r = api.post(f"/operations/{OP}/reports", json={"reports": reports})
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == len(reports)
        assert r.json()["rejected"] == []
    merged = nl.post(
        f"/operations/{OP}/reports", json={"reports": [{"url": "https://t.me/ad_chan/1"}]}
    )
    assert merged.json()["duplicates"] == 1  # the same report again adds nothing
    items = _all_items(de)
    key = {
        "c1": "telegram:post:ad_chan/1",
        "c2": "telegram:post:ad_chan/2",
        "c3": "telegram:post:ad_chan/3",
        "c4": "telegram:post:ad_chan/4",
        "other": "telegram:post:ad_other/1",
        "yc": "youtube:post:CCCCCCCCCCC",
        "yd": "youtube:post:DDDDDDDDDDD",
    }
    assert sorted(items) == sorted(key.values())
    ids = {name: items[k]["item_id"] for name, k in key.items()}
    assert {i["state"] for i in items.values()} == {"new"}

    # 2. Triage: the item three units reported comes first.
    queue = de.get(f"/operations/{OP}/queue").json()["items"]
    assert queue[0]["item_id"] == ids["c1"]
    assert queue[0]["reporting_units"] == 3

    # 3. Assessments (by several units); one item is judged harmless.
    for name, api in (("c1", de), ("c2", fr), ("c3", de), ("c4", de), ("yc", nl), ("yd", fr)):
        r = api.post(
            f"/items/{ids[name]}/assessments",
            json={
                "verdict": "terrorist_content",
                "legal_ground": ["a", "c"],
                "labels": {"group": "group-alpha", "tier": "tier-2"},
                "reasons": "invented",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["item_state"] == "ready"
    r = de.post(f"/items/{ids['other']}/assessments", json={"verdict": "not_terrorist_content"})
    assert r.json()["item_state"] == "assessed_negative"

    # 4. NL holds one post: it stays online and NL hears when a referral would have sent it.
    until = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    r = nl.post(
        "/holds", json={"target": "https://t.me/ad_chan/4", "reason": "NL-SECRET", "until": until}
    )
    assert r.status_code == 201, r.text
    hold_id = r.json()["hold_id"]
    seen_by_de = de.get(f"/items/{ids['c4']}").json()
    assert seen_by_de["state"] == "held"
    assert [(h["status"], h["contact"]) for h in seen_by_de["holds"]] == [
        ("held", "iru@nl.example")
    ]
    assert "NL-SECRET" not in json.dumps(seen_by_de)
    notes = [(x["unit"], x["notes"]) for x in de.get(f"/items/{ids['c1']}").json()["reports"]]
    assert notes == [("DE-IRU", "DE only"), ("FR-IRU", None), ("NL-IRU", None)]

    # 5. A removal order from the competent authority, then referrals to both platforms.
    r = de.post(
        "/orders",
        json={"item_id": ids["c3"], "legal_ground": "a", "reasons": "r", "redress": "court"},
    )
    assert r.status_code == 403  # an analyst does not issue orders
    r = de_senior.post(
        "/orders",
        json={
            "item_id": ids["c3"],
            "legal_ground": ["a"],
            "reasons": "instructions",
            "redress": "Verwaltungsgericht, one month",
            "host_member_state": "NL",
        },
    )
    assert r.status_code == 201, r.text
    order_id = r.json()["order_id"]
    referred = {}
    for platform, count in (("telegram", 2), ("youtube", 2)):
        r = fr.post(f"/operations/{OP}/referrals", json={"platform": platform})
        assert r.status_code == 201, r.text
        assert r.json()["items"] == count
        referred[platform] = r.json()["referral_id"]
    again = de.post(f"/operations/{OP}/referrals", json={"platform": "telegram"}).json()
    assert (again["referral_id"], again["items"]) == (None, 0)
    assert again["held"]  # the held item is named, and its holder was told
    kinds = [n["kind"] for n in nl.get("/notifications").json()["notifications"]]
    assert "hold_blocked" in kinds and "order_copy" not in kinds  # NL is no competent authority

    # 6. Platform agents pull (following `next`), acknowledge and answer.
    def pull(api: httpx.Client) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        since: int | None = 0
        while since is not None:
            page = api.get("/platform/referrals", params={"since": since, "limit": 1}).json()
            out += page["referrals"]
            since = page["next"]
        return out

    (tg_ref,) = pull(tg)
    (yt_ref,) = pull(yt)
    assert (tg_ref["id"], yt_ref["id"]) == (referred["telegram"], referred["youtube"])
    assert sorted(i["item_id"] for i in tg_ref["items"]) == sorted([ids["c1"], ids["c2"]])
    assert tg.post(f"/platform/referrals/{yt_ref['id']}/ack").status_code == 404
    assert tg.post(f"/platform/referrals/{tg_ref['id']}/ack").json()["status"] == "acknowledged"
    tg_answers = {
        "answers": [
            {"item_id": ids["c1"], "action": "removed"},
            {"item_id": ids["c2"], "action": "declined", "reason": "news reporting"},
        ]
    }
    first = tg.post(f"/platform/referrals/{tg_ref['id']}/answers", json=tg_answers).json()
    assert (first["stored"], first["status"]) == (2, "closed")
    repeat = tg.post(f"/platform/referrals/{tg_ref['id']}/answers", json=tg_answers).json()
    assert (repeat["stored"], repeat["unchanged"]) == (0, 2)
    yt_answers = {
        "answers": [
            {"item_id": ids["yc"], "action": "restricted", "reason": "geo"},
            {"item_id": ids["yd"], "action": "removed"},
        ]
    }
    assert (
        yt.post(f"/platform/referrals/{yt_ref['id']}/answers", json=yt_answers).status_code == 200
    )

    (order,) = tg.get("/platform/orders").json()["orders"]
    assert order["order_id"] == order_id
    clock = order["clock"]
    assert clock["received_at"] is not None and clock["due_at"] is not None
    assert clock["scrutiny"]["authority_until"] is not None
    assert yt.get("/platform/orders").json()["orders"] == []
    done = tg.post(f"/platform/orders/{order_id}/answer", json={"action": "removed"}).json()
    assert done["status"] == "closed"
    assert done["clock"]["overdue"] is False

    # 7. NL releases its hold: the post is ready again, and referred on its own.
    assert nl.delete(f"/holds/{hold_id}").status_code == 200
    late = de.post(f"/operations/{OP}/referrals", json={"platform": "telegram"}).json()
    assert late["items"] == 1

    # 8. Final states, the figures, and the audit chain.
    final = {name: _all_items(de)[k]["state"] for name, k in key.items()}
    assert final == {
        "c1": "removed_claimed",
        "c2": "declined",
        "c3": "removed_claimed",
        "c4": "referred",
        "other": "assessed_negative",
        "yc": "acknowledged",
        "yd": "removed_claimed",
    }
    stats_out, verify_out = _parallel(
        instance.env, [["stats", OP, "--json"], ["audit", "verify", "--json"]]
    )
    stats = json.loads(stats_out)
    assert (stats["reports"], stats["items"], stats["merged"]) == (11, 7, 4)
    assert stats["by_platform"] == {"telegram": 5, "youtube": 2}
    assert stats["by_state"]["removed_claimed"] == 3
    assert "verified_removed" not in stats["by_state"]  # a claim is not a verified removal
    assert stats["multi_unit_items"] == 3
    assert {u: f["reports"] for u, f in stats["by_unit"].items()} == {
        "DE-IRU": 6,
        "FR-IRU": 3,
        "NL-IRU": 2,
    }
    verified = json.loads(verify_out)
    assert verified["ok"] is True, verified
    for api in (de, de_senior, fr, nl, tg, yt):
        api.close()
