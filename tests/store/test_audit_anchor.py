"""Anchors: the chain's head signed outside the database, so a cut or replaced chain is found."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from takedown.config import get_settings
from takedown.errors import UserError
from takedown.services import operations, units
from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import AuditEvent

KEY = b"k3y-for-tests-only-0123456789abcdef"


@dataclass
class Ran:
    code: int
    out: str
    err: str


Cli = Callable[..., Ran]


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "audit.key"
    path.parent.mkdir()
    path.write_bytes(KEY + b"\n")
    path.chmod(0o600)
    monkeypatch.setenv("TAKEDOWN_AUDIT_KEY_FILE", str(path))
    return path


@pytest.fixture
def cli(
    settings_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """`takedown ARGS` through the real entry point, in this process."""
    from takedown.cli import main

    def _run(*args: str | Path) -> Ran:
        monkeypatch.setattr(sys, "argv", ["takedown", *map(str, args)])
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return _run


def _write(db: Database, n: int, prefix: str = "OP") -> None:
    with db.session() as s:
        for i in range(n):
            operations.create_operation(s, f"{prefix}{i}", actor="test:alice")


@pytest.fixture
def populated(db: Database) -> Database:
    with db.session() as s:
        units.create_unit(s, "DE-IRU", "referral_unit", actor="test:alice")
    _write(db, 4)
    return db


def _anchor(db: Database, key: bytes = KEY) -> dict[str, Any]:
    with db.session() as s:
        return audit.make_anchor(s, key)


def _check(db: Database, anchor: Any, key: bytes = KEY) -> audit.AnchorReport:
    with db.session() as s:
        return audit.check_anchor(s, anchor, key)


def _delete_events(db: Database, where: str) -> None:
    """What someone with the database's password can do: the payloads and row digests go too."""
    events = f"SELECT id FROM audit_events WHERE {where}"
    with db.engine.begin() as conn:
        for table in ("audit_rows", "audit_payloads"):
            conn.execute(text(f"DELETE FROM {table} WHERE event_id IN ({events})"))
        conn.execute(text(f"DELETE FROM audit_events WHERE {where}"))


def test_an_anchor_signs_the_head(populated: Database) -> None:
    anchor = _anchor(populated)
    with populated.session() as s:
        head = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert head is not None
        assert (anchor["event_id"], anchor["hash"], anchor["events"]) == (head.id, head.hash, 5)
    assert len(anchor["signature"]) == 64
    report = _check(populated, anchor)
    assert report.ok and report.problem is None
    assert (report.event_id, report.events) == (anchor["event_id"], 5)


def test_a_chain_that_grew_past_the_anchor_still_reaches_it(populated: Database) -> None:
    anchor = _anchor(populated)
    _write(populated, 3, prefix="LATER")
    assert _check(populated, anchor).ok


def test_a_deleted_tail_fails(populated: Database) -> None:
    anchor = _anchor(populated)
    _delete_events(populated, f"id >= {anchor['event_id'] - 1}")
    report = _check(populated, anchor)
    assert not report.ok
    assert report.problem is not None and "tail" in report.problem
    with populated.session() as s:  # the chain itself still verifies: only the anchor knows
        assert audit.verify_chain(s).ok


def test_a_deleted_tail_regrown_by_new_writes_fails(populated: Database) -> None:
    anchor = _anchor(populated)
    _delete_events(populated, f"id >= {anchor['event_id'] - 1}")
    _write(populated, 3, prefix="NEW")  # new events take the place of the deleted ones
    report = _check(populated, anchor)
    assert not report.ok and report.problem is not None


def test_a_deleted_chain_fails(populated: Database) -> None:
    anchor = _anchor(populated)
    _delete_events(populated, "1 = 1")
    report = _check(populated, anchor)
    assert not report.ok
    assert report.problem is not None and "empty" in report.problem
    with populated.session() as s:
        assert audit.verify_chain(s).ok  # an empty chain is a whole one


def test_a_replaced_chain_fails(populated: Database) -> None:
    anchor = _anchor(populated)
    with populated.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_payloads"))
        conn.execute(text("DELETE FROM audit_events"))
    # A forger rebuilds a whole, valid chain with the same number of events.
    with populated.session() as s:
        for n in range(5):
            audit.record(
                s,
                actor="test:mallory",
                action="operation.create",
                object_type="operation",
                object_id=n,
                change={},
            )
    with populated.session() as s:
        assert audit.verify_chain(s).ok
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 5
    report = _check(populated, anchor)
    assert not report.ok
    assert report.problem is not None


def test_another_key_fails(populated: Database) -> None:
    anchor = _anchor(populated)
    report = _check(populated, anchor, key=b"another-key-of-32-bytes-xxxxxxxx")
    assert not report.ok
    assert report.problem == "the anchor was signed with another key"


@pytest.mark.parametrize(
    ("field", "value"), [("events", 4), ("event_id", 1), ("hash", "0" * 64), ("at", "x")]
)
def test_a_tampered_anchor_fails(populated: Database, field: str, value: Any) -> None:
    anchor = _anchor(populated) | {field: value}
    report = _check(populated, anchor)
    assert not report.ok
    assert report.problem is not None and "signature" in report.problem


@pytest.mark.parametrize("anchor", [None, [], {"event_id": "1"}, {"anchor": 1}])
def test_something_else_is_not_an_anchor(populated: Database, anchor: Any) -> None:
    report = _check(populated, anchor)
    assert not report.ok and report.problem is not None and "not an anchor" in report.problem


def test_an_empty_chain_is_not_anchored(db: Database) -> None:
    with pytest.raises(UserError, match="no events"), db.session() as s:
        audit.make_anchor(s, KEY)


def test_the_key_file_is_refused_when_unusable(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="TAKEDOWN_AUDIT_KEY_FILE is not set"):
        audit.read_key(None)
    with pytest.raises(UserError, match="no such file"):
        audit.read_key(tmp_path / "missing.key")
    with pytest.raises(UserError, match="not a regular file"):
        audit.read_key(tmp_path)
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"\n")
    empty.chmod(0o600)
    with pytest.raises(UserError, match="empty"):
        audit.read_key(empty)
    short = tmp_path / "short.key"
    short.write_bytes(b"secret")
    short.chmod(0o600)
    with pytest.raises(UserError, match="at least 16"):
        audit.read_key(short)
    shared = tmp_path / "shared.key"
    shared.write_bytes(KEY)
    shared.chmod(0o644)
    with pytest.raises(UserError, match=r"readable or writable by every user.*chmod 600"):
        audit.read_key(shared)
    shared.chmod(0o640)  # the owner's group may read it
    assert audit.read_key(shared) == KEY


# --- the commands -------------------------------------------------------------------------


def test_anchor_then_verify_from_the_command_line(
    cli: Cli, populated: Database, key_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "anchor.json"
    made = cli("audit", "anchor", path)
    assert made.code == 0, made.err
    assert "anchored event" in made.out
    stored = json.loads(path.read_text())
    assert stored["events"] == 5 and stored["anchor"] == 1
    ok = cli("audit", "verify", "--anchor", path)
    assert ok.code == 0
    assert "anchor holds: the chain reaches event" in ok.out
    as_json = json.loads(cli("audit", "verify", "--anchor", path, "--json").out)
    assert as_json["ok"] is True and as_json["anchor"]["ok"] is True
    _delete_events(populated, f"id = {stored['event_id']}")
    cut = cli("audit", "verify", "--anchor", path)
    assert cut.code == 1
    assert "audit chain intact: 4 events" in cut.out
    assert "anchor FAILED: the chain ends at event" in cut.out
    as_json = json.loads(cli("audit", "verify", "--anchor", path, "--json").out)
    assert as_json["ok"] is False and as_json["anchor"]["ok"] is False


def test_the_commands_refuse_an_unusable_key_clearly(
    cli: Cli, populated: Database, key_file: Path, tmp_path: Path
) -> None:
    key_file.chmod(0o644)
    ran = cli("audit", "anchor", tmp_path / "a.json")
    assert ran.code == 2
    assert ran.err.startswith("error: TAKEDOWN_AUDIT_KEY_FILE=") and "chmod 600" in ran.err
    assert "Traceback" not in ran.err
    assert not (tmp_path / "a.json").exists()
    key_file.chmod(0o600)
    assert cli("audit", "anchor", tmp_path / "a.json").code == 0
    (tmp_path / "bad.json").write_text("{not json")
    bad = cli("audit", "verify", "--anchor", tmp_path / "bad.json")
    assert bad.code == 2 and "not an anchor file" in bad.err
    missing = cli("audit", "verify", "--anchor", tmp_path / "none.json")
    assert missing.code == 2 and "no such file" in missing.err


def test_verify_without_options_prints_what_it_did_before(cli: Cli, populated: Database) -> None:
    ran = cli("audit", "verify", "--json")
    assert json.loads(ran.out) == {"ok": True, "events": 5, "broken_at": None, "problem": None}


def test_verify_rows_from_the_command_line(cli: Cli, populated: Database) -> None:
    ran = cli("audit", "verify", "--rows", "--json")
    assert ran.code == 0
    assert json.loads(ran.out)["rows"] | {"events": 0} == {
        "ok": True,
        "rows": 0,
        "events": 0,
        "batches": 0,
        "problems": [],
        "more_problems": 0,
    }
    with populated.engine.begin() as conn:  # an item no event recorded
        op = conn.execute(text("SELECT min(id) FROM operations")).scalar()
        conn.execute(
            text(
                "INSERT INTO items (operation_id, key, url, canonical_url, platform, kind,"
                " parents, flags, state, created_at, updated_at) VALUES (:op, 'k', 'u', 'u',"
                " 'telegram', 'post', '[]', '[]', 'verified_removed', :t, :t)"
            ),
            {"op": op, "t": "2026-12-01 10:00:00.000000"},
        )
    ran = cli("audit", "verify", "--rows")
    assert ran.code == 1
    assert "rows CHANGED behind the chain" in ran.out
    assert "items 1: no event recorded this row" in ran.out
    as_json = json.loads(cli("audit", "verify", "--rows", "--json").out)
    assert as_json["ok"] is False and as_json["events"] == 5
    assert as_json["rows"]["problems"][0]["table"] == "items"
