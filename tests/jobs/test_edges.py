"""The edges: `takedown unit delivery|delivery list|delivery retry|worker` and the REST routes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from takedown.config import Settings, get_settings
from takedown.services import units
from takedown.store.db import Database
from takedown.store.referrals import Delivery

from ..delivery.helpers import delivery, make_world, refer, webhook_server

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

TAKEDOWN = Path(sys.executable).with_name("takedown")


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    from takedown.cli import main

    monkeypatch.setattr(sys, "argv", ["takedown", *args])
    get_settings.cache_clear()
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _dead(db: Database) -> int:
    """A referral whose webhook delivery is dead (its URL answers nothing)."""
    with webhook_server() as receiver:
        url = receiver.url
    world = make_world(db, webhook_url=url)
    [delivery_id] = refer(db, world)
    with db.session() as s:
        row = s.get(Delivery, delivery_id)
        assert row is not None
        s.execute(
            Delivery.__table__.update()
            .where(Delivery.id == delivery_id)
            .values(status="dead", attempts=8, last_error="HTTP 500")
        )
    with db.session() as s:
        units.init_instance(s, actor="test")
    return delivery_id


def test_cli_configures_a_unit_and_shows_the_generated_secret_once(
    db: Database,
    settings_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with db.session() as s:
        units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
    code, out, _ = _cli(
        monkeypatch,
        capsys,
        "unit",
        "delivery",
        "TG",
        "--webhook-url",
        "https://tg.example/hook",
        "--json",
    )
    assert code == 0
    shown = json.loads(out)
    assert shown["webhook_url"] == "https://tg.example/hook" and len(shown["webhook_secret"]) > 30
    with db.session() as s:
        assert units.get_unit(s, "TG").webhook_secret == shown["webhook_secret"]
    code, out, _ = _cli(
        monkeypatch, capsys, "unit", "delivery", "TG", "--email", "a@tg.example", "--json"
    )
    assert json.loads(out)["webhook_secret"] is None  # kept, and not shown again
    code, _, err = _cli(monkeypatch, capsys, "unit", "delivery", "TG", "--webhook-url", "ftp://x")
    assert code == 2 and "must start with http" in err


def test_cli_lists_the_dead_letter_queue_and_retries(
    db: Database,
    settings_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    delivery_id = _dead(db)
    code, out, _ = _cli(monkeypatch, capsys, "delivery", "list", "--status", "dead", "--json")
    assert code == 0
    [row] = [json.loads(line) for line in out.splitlines()]
    assert (row["id"], row["status"], row["unit"], row["last_error"]) == (
        delivery_id,
        "dead",
        "TG",
        "HTTP 500",
    )
    code, _, err = _cli(monkeypatch, capsys, "delivery", "list", "--status", "lost")
    assert code == 2 and "unknown delivery status 'lost'" in err
    code, out, _ = _cli(monkeypatch, capsys, "delivery", "retry", str(delivery_id), "--json")
    assert code == 0 and json.loads(out)["status"] == "pending"
    assert delivery(db, delivery_id).attempts == 0
    code, _, err = _cli(monkeypatch, capsys, "delivery", "retry", "999")
    assert code == 2 and "no delivery with id 999" in err


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from takedown.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def test_api_lists_and_retries_dead_deliveries(db: Database, client: TestClient) -> None:
    delivery_id = _dead(db)
    with db.session() as s:
        coordinator = units.get_unit(s, "EU-COORD")
        iru = units.get_unit(s, "DE-IRU")
        headers = {
            name: {"Authorization": f"Bearer {units.create_token(s, unit, role, actor='test')[1]}"}
            for name, unit, role in (
                ("coordinator", coordinator, "coordinator"),
                ("auditor", iru, "auditor"),
                ("analyst", iru, "analyst"),
            )
        }
    page = client.get("/api/v1/deliveries", params={"status": "dead"}, headers=headers["auditor"])
    assert page.status_code == 200
    [row] = page.json()["deliveries"]
    assert (row["id"], row["status"], row["channel"]) == (delivery_id, "dead", "webhook")
    assert client.get("/api/v1/deliveries", headers=headers["analyst"]).status_code == 403
    assert client.get("/api/v1/deliveries").status_code == 401
    assert (
        client.get("/api/v1/deliveries?status=x", headers=headers["auditor"]).status_code == 422
    )  # an unknown status is a field that fails validation
    url = f"/api/v1/deliveries/{delivery_id}/retry"
    assert client.post(url, headers=headers["auditor"]).status_code == 403
    retried = client.post(url, headers=headers["coordinator"])
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert (
        client.post("/api/v1/deliveries/999/retry", headers=headers["coordinator"]).status_code
        == 404
    )


def test_worker_delivers_and_stops_cleanly_on_ctrl_c(db: Database, settings_env: Path) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)  # pending before the worker starts
        proc = subprocess.Popen(
            [str(TAKEDOWN), "worker", "--workers", "1"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TAKEDOWN_LOG_LEVEL": "warning"},
        )
        try:
            assert receiver.arrived.wait(60), "the worker delivered nothing"
            deadline = time.monotonic() + 30
            while delivery(db, delivery_id).status != "delivered" and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=60)
    assert delivery(db, delivery_id).status == "delivered"
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "worker stopped" in err
