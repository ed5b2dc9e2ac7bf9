"""Names from a fixed vocabulary (platforms, states, roles …), checked where they come in.

``choose`` (for people: the CLI) folds case, accepts an exact match and refuses anything else
with the closest valid names, so that a typo is answered with what was probably meant.
``require`` (for programs: the API) accepts only the name as it is spelled, and refuses any
other spelling, a different case included, with the same hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from takedown.errors import UserError

MAX_LISTED = 12  # past this many valid names, a refusal shows only the closest ones
MAX_COMPARED = 64  # a longer value is no typo of a name: it is not compared with them


def choose(label: str, value: str, allowed: Iterable[str]) -> str:
    """The valid name that ``value`` spells, whatever its case; else a UserError.

    ``label`` names the kind of value in the message: ``choose("platform", "Telegram",
    names)`` returns ``"telegram"``, ``choose("platform", "telgram", names)`` refuses with
    "unknown platform 'telgram': did you mean telegram?".
    """
    names = list(dict.fromkeys(str(a) for a in allowed))
    text = value.strip()
    found = {n.casefold(): n for n in names}.get(text.casefold())
    if found is not None:
        return found
    raise UserError(f"unknown {label} {text!r}: {_hint(text, names)}")


def require(label: str, value: str, allowed: Iterable[str]) -> str:
    """``value`` when it is one of the names exactly as spelled; else a UserError.

    ``require("platform", "Telegram", names)`` refuses with "platform 'Telegram' must be
    spelled exactly: did you mean telegram?"; ``require("platform", "telgram", names)`` with
    "unknown platform 'telgram': did you mean telegram?".
    """
    names = list(dict.fromkeys(str(a) for a in allowed))
    if value in names:
        return value
    shown = value if len(value) <= MAX_COMPARED else value[:MAX_COMPARED] + "…"
    found = {n.casefold(): n for n in names}.get(value.strip().casefold())
    if found is not None:
        raise UserError(f"{label} {shown!r} must be spelled exactly: did you mean {found}?")
    raise UserError(f"unknown {label} {shown!r}: {_hint(value, names)}")


def _hint(text: str, names: list[str]) -> str:
    folded = {n.casefold(): n for n in names}
    close = []
    if len(text) <= MAX_COMPARED:
        close = difflib.get_close_matches(text.casefold(), list(folded), n=3, cutoff=0.6)
    if close:
        return f"did you mean {_either([folded[c] for c in close])}?"
    if len(names) <= MAX_LISTED:
        return f"use one of: {', '.join(names)}"
    return f"{len(names)} are known, e.g. {', '.join(names[:MAX_LISTED])}"


def choose_optional(label: str, value: str | None, allowed: Iterable[str]) -> str | None:
    """``choose`` for an optional value: None stays None."""
    return None if value is None else choose(label, value, allowed)


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
