"""Errors that carry a message meant for the person at the keyboard."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an unknown name: the message names what was wrong."""


class NotFound(UserError):
    """A named operation, unit, item or other object does not exist."""


class Forbidden(Exception):
    """The caller is not allowed to do this."""
