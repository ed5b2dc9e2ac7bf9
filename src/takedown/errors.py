"""Errors that carry a message meant for the person at the keyboard."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an unknown name: the message names what was wrong."""


class NotFound(UserError):
    """A named operation, unit, item or other object does not exist."""


class Conflict(UserError):
    """The request clashes with what is already there (a second removal order for an item,
    a value that must be unique): the API answers 409, and nothing was written."""


class Forbidden(Exception):
    """The caller is not allowed to do this."""


def unique_violation(exc: BaseException) -> str | None:
    """What a database error says broke a unique rule (a constraint or ``table.column``), or
    None when it is some other error. Reads the driver's error, so it needs no import here."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "23505":  # PostgreSQL: unique_violation
        diag = getattr(orig, "diag", None)
        return str(getattr(diag, "constraint_name", None) or "a unique constraint")
    if getattr(orig, "sqlite_errorname", None) in (
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
    ):
        return str(orig).removeprefix("UNIQUE constraint failed: ")
    return None


def envelope(message: str, problems: list[dict[str, str]] | None = None) -> dict[str, object]:
    """The one shape of every error the API answers: ``{"error": message}``, with
    ``problems`` (``[{"field", "error"}]``) when the request broke rules field by field."""
    body: dict[str, object] = {"error": message}
    if problems is not None:
        body["problems"] = problems
    return body
