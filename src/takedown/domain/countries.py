"""EU member states, as the codes a unit's ``member_state`` and an order's host state take.

The codes are ISO 3166-1 alpha-2, except Greece: the EU writes ``EL`` (the Interinstitutional
Style Guide, and the forms of Regulation 2021/784), and so does takedown. ``GR``, its ISO code,
is read as ``EL``. Case is folded (ASCII only); anything else, a non-member (``GB``, ``CH``) included, is
refused.
"""

from __future__ import annotations

EU_MEMBER_STATES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "EL",
        "ES",
        "FI",
        "FR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)
_ALIASES = {"GR": "EL"}


def eu_member_state(value: str) -> str:
    """The EU member state code ``value`` names (``"de"`` → ``"DE"``, ``"GR"`` → ``"EL"``);
    a ValueError naming the value for anything else."""
    code = value.upper() if value.isascii() else value  # "ıe".upper() is "IE"
    code = _ALIASES.get(code, code)
    if code not in EU_MEMBER_STATES:
        raise ValueError(
            f"{value!r} is not an EU member state code (two letters, e.g. DE, FR, NL; Greece is EL)"
        )
    return code
