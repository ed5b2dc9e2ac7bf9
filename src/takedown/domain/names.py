"""Names from a fixed vocabulary (platforms, states, roles …), checked where they come in.

``choose`` folds case, accepts an exact match and refuses anything else with the closest
valid names, so that a typo is answered with what was probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from takedown.errors import UserError

MAX_LISTED = 12  # past this many valid names, a refusal shows only the closest ones


def choose(label: str, value: str, allowed: Iterable[str]) -> str:
    """The valid name that ``value`` spells, whatever its case; else a UserError.

    ``label`` names the kind of value in the message: ``choose("platform", "Telegram",
    names)`` returns ``"telegram"``, ``choose("platform", "telgram", names)`` refuses with
    "unknown platform 'telgram': did you mean telegram?".
    """
    names = list(dict.fromkeys(str(a) for a in allowed))
    text = value.strip()
    folded = {n.casefold(): n for n in names}
    found = folded.get(text.casefold())
    if found is not None:
        return found
    close = difflib.get_close_matches(text.casefold(), list(folded), n=3, cutoff=0.6)
    if close:
        hint = f"did you mean {_either([folded[c] for c in close])}?"
    elif len(names) <= MAX_LISTED:
        hint = f"use one of: {', '.join(names)}"
    else:
        hint = f"{len(names)} are known, e.g. {', '.join(names[:MAX_LISTED])}"
    raise UserError(f"unknown {label} {text!r}: {hint}")


def choose_optional(label: str, value: str | None, allowed: Iterable[str]) -> str | None:
    """``choose`` for an optional value: None stays None."""
    return None if value is None else choose(label, value, allowed)


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
