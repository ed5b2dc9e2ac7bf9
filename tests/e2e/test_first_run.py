"""`make run` on a first run: `takedown init`, `takedown demo`, then `takedown serve` with the
demo's simulated platforms answering, as the Makefile's `run` target does.

Everything runs in subprocesses with a fresh data folder and no other TAKEDOWN_* setting, so
the database is the SQLite file `takedown` makes there by default. The one difference from
`make run` is a shorter answer delay (``--simulate-delay``). The test reads the database
read-only until every referred item has its answer, then stops the server as a user would,
with Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pytest

from takedown.sim.agent import MAX_ATTEMPTS

TAKEDOWN = Path(sys.executable).with_name("takedown")
DEADLINE = 600  # seconds: a safety net against hanging, not a timing assertion
# make run's platforms answer after a median 30 s, and the slowest of the demo's items after
# about five minutes; a shorter median keeps this test under a minute and changes nothing else.
ANSWER_DELAY = 2.0
CLOSING = 30  # seconds, after the last answer, for the referrals to close (a safety net)
# A post of a simulated platform (acknowledgement or answer) that the platform API refused, as
# uvicorn's access log and the simulated agent's log say it.
REFUSED = re.compile(r'"POST /api/v1/platform/[^"]*" 4\d\d|failed: Client error \'4\d\d')


def _given_up(log: str) -> set[int]:
    """Items the simulated agent will not answer again: takedown refused the answer (a 4xx,
    never retried), or posting it failed MAX_ATTEMPTS times."""
    failed = re.findall(r"answering item (\d+) failed: (.*)", log)
    tries = Counter(int(item) for item, _ in failed)
    refused = {int(item) for item, why in failed if re.match(r"Client error '4(?!29)", why)}
    return refused | {item for item, n in tries.items() if n >= MAX_ATTEMPTS}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _takedown(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [str(TAKEDOWN), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def _read(database: Path) -> tuple[dict[int, set[int]], dict[int, str], set[int]]:
    """Referred items by referral, the referrals' statuses, and the items with an answer."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        referred: dict[int, set[int]] = defaultdict(set)
        for referral_id, item_id in conn.execute("SELECT referral_id, item_id FROM referral_items"):
            referred[referral_id].add(item_id)
        status = dict(conn.execute("SELECT id, status FROM referrals"))
        query = "SELECT DISTINCT item_id FROM responses WHERE referral_id IS NOT NULL"
        answered = {item_id for (item_id,) in conn.execute(query)}
    finally:
        conn.close()
    return dict(referred), status, answered


@pytest.mark.slow
def test_make_run_first_run(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAKEDOWN_")}
    env["TAKEDOWN_DATA_DIR"] = str(data)
    _takedown(env, "init")
    _takedown(env, "demo")
    database = data / "takedown.db"
    assert database.is_file()
    referred, _, _ = _read(database)
    assert referred, "the demo referred nothing"

    port, sim_port = _free_port(), _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [
                str(TAKEDOWN),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--simulate",
                str(sim_port),
                "--simulate-answers",
                "--simulate-delay",
                str(ANSWER_DELAY),
            ],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    healthz: dict[str, object] = {}
    try:
        deadline = time.monotonic() + DEADLINE
        while not healthz:
            assert server.poll() is None, log.read_text()
            try:
                response = httpx.get(f"{base}/healthz", timeout=2)
                if response.status_code == 200:
                    healthz = response.json()
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /healthz:\n{log.read_text()}"
            time.sleep(0.2)
        answered_at: float | None = None
        while True:
            assert server.poll() is None, log.read_text()
            referred, status, answered = _read(database)
            waiting = {i for items in referred.values() for i in items} - answered
            if waiting and waiting <= _given_up(log.read_text()):
                break  # no answer is coming: the assertions below say why
            if not waiting:
                answered_at = answered_at or time.monotonic()
                closed = all(s == "closed" for s in status.values())
                if closed or time.monotonic() > answered_at + CLOSING:
                    break
            assert time.monotonic() < deadline, f"items never answered: {sorted(waiting)}"
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops `make run`
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    text = log.read_text()

    assert healthz.get("status") == "ok", healthz
    refused = [line for line in text.splitlines() if REFUSED.search(line)]
    assert not refused, "the platform API refused the simulated platforms' answers"
    unanswered = {i for items in referred.values() for i in items} - answered
    assert not unanswered, "referred items with no platform response"
    # Every item has a final answer (the simulated platforms never ask a question): each
    # referral is closed.
    assert status == dict.fromkeys(referred, "closed")
