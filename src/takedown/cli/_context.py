"""What every CLI command needs: the settings, the database, and who is acting."""

from __future__ import annotations

import getpass
import os

from takedown.config import get_settings
from takedown.errors import UserError
from takedown.store.db import Database, head_revision

_opened: list[Database] = []


def close_databases() -> None:
    """Close every database ``open_db`` opened in this process (at the end of a command)."""
    while _opened:
        _opened.pop().dispose()


def open_db(*, migrated: bool = True) -> Database:
    """The configured database; with ``migrated``, refuse one that `takedown init` has not built.

    The command's entry point closes it when the command ends (``close_databases``)."""
    settings = get_settings()
    db = Database(settings.resolved_database_url)
    _opened.append(db)
    if migrated:
        try:
            current = db.current_revision()
        except Exception as exc:
            db.dispose()
            raise UserError(f"cannot open the database: {type(exc).__name__}: {exc}") from None
        head = head_revision()
        if current is None:
            db.dispose()
            raise UserError("the database is not set up yet: run `takedown init` first")
        if current != head:  # both are sorted, comma-joined heads
            db.dispose()
            raise UserError(
                f"the database schema is at {current}, this version needs {head}: "
                "run `takedown init` to upgrade it"
            )
    return db


def cli_actor() -> str:
    """Audit actor for commands typed at a shell: the operating-system user."""
    try:
        user = getpass.getuser()
    except Exception:
        user = os.environ.get("USER", "unknown")
    return f"cli:{user}"
