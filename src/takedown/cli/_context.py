"""What every CLI command needs: the settings, the database, and who is acting.

One way to use the database in a command: ``with transaction() as session:``, or
``with database() as db:`` where a service takes the ``Database`` itself. Either closes the
database when its block ends; the entry point (``takedown.cli.main``) closes any that a
command left open (``close_databases``).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from takedown.config import Settings, get_settings
from takedown.errors import UserError
from takedown.store.db import Database, head_revision

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from takedown.media.limits import MediaLimits

_opened: list[Database] = []


def close_databases() -> None:
    """Close every database ``open_db`` opened in this process (at the end of a command)."""
    while _opened:
        _opened.pop().dispose()


def _close(db: Database) -> None:
    if db in _opened:
        _opened.remove(db)
    db.dispose()


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
            _close(db)
            raise UserError(f"cannot open the database: {type(exc).__name__}: {exc}") from None
        head = head_revision()
        if current is None:
            _close(db)
            raise UserError("the database is not set up yet: run `takedown init` first")
        if current != head:  # both are sorted, comma-joined heads
            _close(db)
            raise UserError(
                f"the database schema is at {current}, this version needs {head}: "
                "run `takedown init` to upgrade it"
            )
    return db


@contextmanager
def database(*, migrated: bool = True) -> Iterator[Database]:
    """The configured database (see ``open_db``) for a ``with`` block, closed at its end."""
    db = open_db(migrated=migrated)
    try:
        yield db
    finally:
        _close(db)


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction on the configured database: committed when the block ends, rolled
    back when it raises; the database is closed either way."""
    with database() as db, db.session() as s:
        yield s


def media_limits(settings: Settings | None = None) -> MediaLimits:
    """The hashing limits of ``settings`` (TAKEDOWN_MEDIA_*, TAKEDOWN_EVIDENCE_MAX_BYTES), with
    the media switches applied (``use_media_switches``): every command that hashes or
    matches media calls it."""
    settings = settings or get_settings()
    use_media_switches(settings)
    return settings.media_limits()


def use_media_switches(settings: Settings) -> None:
    """Switch the PDQ index's compiled search on or off for this process, as
    TAKEDOWN_MEDIA_NUMBA says (`serve` and `worker` match evidence in their jobs)."""
    from takedown.media._kernel import use_numba

    use_numba(settings.media_numba)


def cli_actor() -> str:
    """Audit actor for commands typed at a shell: the operating-system user."""
    try:
        user = getpass.getuser()
    except Exception:
        user = os.environ.get("USER", "unknown")
    return f"cli:{user}"
