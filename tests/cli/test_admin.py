"""`takedown init`, `operation`, `unit`, `user`, `token` and `audit verify`, run as a user would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from takedown.services import units
from takedown.services.units import authenticate_token
from takedown.store.db import Database
from takedown.store.models import ApiToken, AuditEvent, User


def test_init_is_idempotent_and_shows_the_password_once(takedown, cli, db: Database) -> None:
    first = takedown("init")
    assert first.code == 0, first.err
    (line,) = [x for x in first.out.splitlines() if x.startswith("Admin password")]
    password = line.rsplit(" ", 1)[-1]
    assert len(password) >= 12
    # no sign-in exists: it says so, and how to act (a token), not "change it at first login"
    assert "login" not in first.out
    assert "takedown token create --unit takedown --role admin" in first.out
    second = cli("init")
    assert second.code == 0, second.err
    assert "already initialised" in second.out
    assert password not in second.out + second.err
    as_json = cli("init", "--json")
    obj = json.loads(as_json.out)
    assert obj["ok"] is True and obj["created_admin"] is False and obj["password"] is None
    with db.session() as s:
        assert [u.role for u in s.scalars(select(User))] == ["admin"]


def test_init_builds_a_fresh_sqlite_database_without_prompting(
    takedown, settings_env: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TAKEDOWN_DATABASE_URL"}
    env["TAKEDOWN_DATA_DIR"] = str(tmp_path / "fresh")
    os.environ.pop("TAKEDOWN_DATABASE_URL", None)  # restored by monkeypatch in settings_env
    ran = takedown("init", "--json", env=env)
    assert ran.code == 0, ran.err
    obj = json.loads(ran.out)
    assert obj["created_admin"] is True and obj["admin"] and obj["password"]
    assert (tmp_path / "fresh" / "takedown.db").is_file()


def test_commands_refuse_a_database_init_has_not_built(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_DATABASE_URL", f"sqlite:///{tmp_path / 'empty' / 'takedown.db'}")
    ran = cli("operation", "create", "OP1")
    assert ran.code == 2
    assert "takedown init" in ran.err


def test_operation_create_and_its_errors(cli, db: Database) -> None:
    ok = cli("operation", "create", "Action Day 2026", "--json")
    assert ok.code == 0, ok.err
    assert json.loads(ok.out)["name"] == "Action Day 2026"
    dup = cli("operation", "create", "Action Day 2026")
    assert dup.code == 2 and "already exists" in dup.err
    bad = cli("operation", "create", "$(rm -rf /)")
    assert bad.code == 2 and "not allowed" in bad.err
    listed = cli("operation", "list", "--json")
    assert [json.loads(line)["name"] for line in listed.out.splitlines()] == ["Action Day 2026"]


def test_unit_create_and_its_errors(cli, db: Database) -> None:
    ok = cli("unit", "create", "DE-IRU", "--kind", "referral_unit", "--json")
    assert ok.code == 0, ok.err
    assert json.loads(ok.out)["kind"] == "referral_unit"
    dup = cli("unit", "create", "DE-IRU", "--kind", "referral_unit")
    assert dup.code == 2 and "already exists" in dup.err
    bad = cli("unit", "create", "X", "--kind", "police")
    assert bad.code == 2
    assert "police" in bad.err and "referral_unit" in bad.err and "oversight" in bad.err
    missing = cli("unit", "create", "Y")
    assert missing.code == 2 and "--kind" in missing.err
    plat = cli("unit", "create", "TG", "--kind", "platform", "--platform", "telegram")
    assert plat.code == 0, plat.err
    listed = [json.loads(line) for line in cli("unit", "list", "--json").out.splitlines()]
    assert [(u["name"], u["kind"]) for u in listed] == [
        ("DE-IRU", "referral_unit"),
        ("TG", "platform"),
    ]


def test_token_create_prints_exactly_one_line(takedown, cli, db: Database) -> None:
    with db.session() as s:
        units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
    ran = takedown("token", "create", "--unit", "DE-IRU", "--role", "analyst", "--expires", "30d")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert len(lines) == 1
    secret = lines[0]
    assert secret.startswith("tdk_") and " " not in secret
    with db.session() as s:
        who = authenticate_token(s, secret)
        assert who is not None and who.unit_name == "DE-IRU" and who.role == "analyst"
        stored = s.scalars(select(ApiToken)).one()
        assert stored.token_hash != secret and secret not in stored.prefix + stored.token_hash
    bad = cli("token", "create", "--unit", "DE-IRU", "--role", "king")
    assert bad.code == 2 and "king" in bad.err
    bad_expiry = cli(
        "token", "create", "--unit", "DE-IRU", "--role", "analyst", "--expires", "soon"
    )
    assert bad_expiry.code == 2 and "soon" in bad_expiry.err


def test_token_revoke(cli, db: Database) -> None:
    assert cli("unit", "create", "DE-IRU", "--kind", "referral_unit").code == 0
    secret = cli("token", "create", "--unit", "DE-IRU", "--role", "analyst").out.strip()
    with db.session() as s:
        token_id = s.scalars(select(ApiToken.id)).one()
    assert cli("token", "revoke", str(token_id)).code == 0
    with db.session() as s:
        assert authenticate_token(s, secret) is None
    missing = cli("token", "revoke", "9999")
    assert missing.code == 2 and "9999" in missing.err


def test_audit_verify_names_the_broken_event(cli, db: Database) -> None:
    assert cli("unit", "create", "DE-IRU", "--kind", "referral_unit").code == 0
    assert cli("operation", "create", "OP1").code == 0
    good = cli("audit", "verify", "--json")
    assert good.code == 0
    assert json.loads(good.out) == {"ok": True, "events": 2, "broken_at": None, "problem": None}
    assert "intact: 2 events" in cli("audit", "verify").out
    with db.session() as s:
        first = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": first}
        )
    assert f"BROKEN at event {first}" in cli("audit", "verify").out
    as_json = json.loads(cli("audit", "verify", "--json").out)
    assert as_json["ok"] is False and as_json["broken_at"] == first


def test_audit_verify_exits_1_on_a_broken_chain(takedown, db: Database) -> None:
    with db.session() as s:
        units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory'"))
    broken = takedown("audit", "verify")
    assert "BROKEN" in broken.out
    assert broken.code == 1


def test_no_arguments_shows_help_not_a_traceback(cli, db: Database) -> None:
    ran = cli()
    assert "import" in ran.out + ran.err
    unknown = cli("frobnicate")
    assert unknown.code == 2


@pytest.mark.parametrize("lifetime", ["0m", "0d", "00h", " 0w "])
def test_a_token_lifetime_must_be_positive(cli, db: Database, lifetime: str) -> None:
    """`--expires 0m` once made a token that never expired."""
    assert cli("unit", "create", "DE-IRU", "--kind", "referral_unit").code == 0
    ran = cli("token", "create", "--unit", "DE-IRU", "--role", "analyst", "--expires", lifetime)
    assert ran.code == 2, ran
    assert ran.err.startswith("error: duration ") and "is not positive" in ran.err
    assert ran.out == ""
    with db.session() as s:
        assert s.scalars(select(ApiToken)).all() == []


def test_a_token_lifetime_of_one_minute_ends(db: Database) -> None:
    from datetime import timedelta

    from takedown.errors import UserError
    from takedown.store.models import utcnow

    with db.session() as s:
        unit = units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
        token, secret = units.create_token(
            s, unit, "analyst", actor="test", expires_in=units.parse_duration("1m")
        )
        assert token.expires_at is not None
        with pytest.raises(UserError, match="must be positive"):
            units.create_token(s, unit, "analyst", actor="test", expires_in=timedelta(0))
    with db.session() as s:
        assert authenticate_token(s, secret) is not None
        assert authenticate_token(s, secret, now=utcnow() + timedelta(minutes=2)) is None


# user role -> the token roles `token create --user` accepts in a referral unit: an admin
# covers that unit's other roles (a referral unit has no platform agents)
TOKEN_ROLES = {
    "admin": {"analyst", "senior_assessor", "coordinator", "auditor", "admin"},
    "senior_assessor": {"senior_assessor", "analyst"},
    "analyst": {"analyst"},
    "coordinator": {"coordinator"},
    "platform_agent": {"platform_agent"},
    "auditor": {"auditor"},
}


def test_a_users_token_never_carries_more_than_the_users_role(cli, db: Database) -> None:
    assert cli("unit", "create", "DE-IRU", "--kind", "referral_unit").code == 0
    made = 0
    for user_role, may in TOKEN_ROLES.items():
        email = f"{user_role}@de.example"
        assert cli("user", "create", email, "--unit", "DE-IRU", "--role", user_role).code == 0
        for token_role in TOKEN_ROLES:
            ran = cli("token", "create", "--unit", "DE-IRU", "--role", token_role, "--user", email)
            if token_role in may:
                assert ran.code == 0, (user_role, token_role, ran.err)
                made += 1
                continue
            assert ran.code == 2, (user_role, token_role, ran)
            article = "an" if user_role[0] in "aeiou" else "a"
            assert ran.err.startswith(
                f"error: user {email} is {article} {user_role.replace('_', ' ')}: "
                "a token for them may carry "
            ), ran.err
            assert ran.err.rstrip().endswith(f", not {token_role}")
            assert ran.out == ""
    with db.session() as s:
        tokens = s.scalars(select(ApiToken)).all()
        users = {u.id: u.role for u in s.scalars(select(User))}
    assert len(tokens) == made == sum(len(v) for v in TOKEN_ROLES.values())
    assert all(t.role in TOKEN_ROLES[users[t.user_id]] for t in tokens if t.user_id)
