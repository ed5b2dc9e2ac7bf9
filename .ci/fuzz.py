"""schemathesis against a running `takedown serve`: every operation of the OpenAPI document,
with a token per role, a fixed seed and at least 100 examples per operation; 0 server errors
and 0 statuses or response bodies that the document does not declare for the operation.

    .venv/bin/python .ci/fuzz.py [--database-url URL] [--examples N]

Without --database-url it runs on a fresh SQLite database in a temporary folder; with a
PostgreSQL URL it creates (and afterwards drops) a database of its own next to that one, so
the test database is never touched. It prints the seconds it took.

"At least 100 examples": schemathesis asks Hypothesis for up to ``--examples`` per operation
and Hypothesis stops earlier only where an operation's inputs have fewer distinct values (a
route with no parameters is tried once per role). The roles are every role takedown knows,
a coordinator's included (the demo has no coordinating unit, so one is made here); a role
without a token stops the run instead of being left out of it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEED = 20261207
ROLES = ("analyst", "senior_assessor", "coordinator", "platform_agent", "auditor", "admin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_pg(url: str) -> tuple[str, str]:
    """A new database beside the one ``url`` names; returns its URL and its name."""
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"takedown_fuzz_{os.getpid()}"
    plain = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}", name


def _drop_pg(url: str, name: str) -> None:
    import psycopg

    base, _, _ = url.rpartition("/")
    plain = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "takedown"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"takedown {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _tokens(env: dict[str, str], data: Path) -> dict[str, str]:
    demo = json.loads((data / "demo-tokens.json").read_text(encoding="utf-8"))
    tokens: dict[str, str] = {}
    for label, secret in demo.items():
        role = label.rsplit(" / ", 1)[-1]
        tokens.setdefault(role, secret)
    admin = _run(env, "token", "create", "--unit", "takedown", "--role", "admin",
                 "--user", "admin@localhost")  # fmt: skip
    tokens["admin"] = admin.strip().splitlines()[-1]
    if "coordinator" not in tokens:  # the demo has no coordinating unit: add one
        _run(env, "unit", "create", "EU-COORD (fuzz)", "--kind", "coordinator")
        made = _run(env, "token", "create", "--unit", "EU-COORD (fuzz)", "--role", "coordinator")
        tokens["coordinator"] = made.strip().splitlines()[-1]
    missing = [role for role in ROLES if role not in tokens]
    if missing:  # never a green line for roles that did not run
        sys.exit(f"no token for the roles {', '.join(missing)}: the fuzz cannot run as them")
    return {role: tokens[role] for role in ROLES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args()
    started = time.monotonic()
    data = Path(tempfile.mkdtemp(prefix="takedown-fuzz-"))
    env = {**os.environ, "TAKEDOWN_DATA_DIR": str(data), "TAKEDOWN_WORKERS": "0"}
    dropped: tuple[str, str] | None = None
    if args.database_url:
        url, name = _fresh_pg(args.database_url)
        env["TAKEDOWN_DATABASE_URL"] = url
        dropped = (args.database_url, name)
    else:
        env.pop("TAKEDOWN_DATABASE_URL", None)
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    failed = []
    ran = 0
    try:
        _run(env, "init")
        _run(env, "demo")
        tokens = _tokens(env, data)
        log = open(data / "serve.log", "wb")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(
            [str(BIN / "takedown"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("takedown serve did not answer /healthz")
        for role, token in tokens.items():
            print(f"== schemathesis as {role}", flush=True)
            command = [
                str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
                "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
                "--max-examples", str(args.examples),
                "--seed", str(SEED),
                "--header", f"Authorization: Bearer {token}",
                "--workers", "1",
                "--generation-database", "none",
                "--request-timeout", "20",
                "--no-color",
                "--output-sanitize", "true",
            ]  # fmt: skip
            code = subprocess.run(command, env=env, cwd=data, check=False).returncode
            ran += 1
            if code != 0:
                failed.append(role)
        if failed:  # the server's side of the errors (its tracebacks), before the folder goes
            tail = (data / "serve.log").read_text(encoding="utf-8", errors="replace")
            print("-- the server's log, last 200 lines:")
            print("\n".join(tail.splitlines()[-200:]))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        if dropped is not None:
            _drop_pg(*dropped)
        shutil.rmtree(data, ignore_errors=True)
    seconds = time.monotonic() - started
    where = "PostgreSQL" if dropped else "SQLite"
    if failed:
        print(f"schemathesis on {where}: failures as {', '.join(failed)} ({seconds:.0f} s)")
        return 1
    print(
        f"schemathesis on {where}: 0 server errors, 0 undeclared statuses or bodies, {ran} roles ({seconds:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
