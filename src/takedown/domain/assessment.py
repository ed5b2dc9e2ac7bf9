"""The vocabulary of assessment: verdicts, legal grounds and the label taxonomy."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any


class Verdict(StrEnum):
    TERRORIST_CONTENT = "terrorist_content"
    NOT_TERRORIST_CONTENT = "not_terrorist_content"
    EXEMPT = "exempt"  # Art. 1(3): journalistic, educational, research, artistic


# Reg. 2021/784 Art. 2(7)
LEGAL_GROUNDS = {
    "a": "incites the commission of a terrorist offence",
    "b": "solicits a person or group to commit or contribute to a terrorist offence",
    "c": "solicits a person or group to participate in the activities of a terrorist group",
    "d": "provides instruction on weapons, explosives or hazardous substances for terrorism",
    "e": "constitutes a threat to commit a terrorist offence",
}
EXEMPT_PURPOSES = ("journalistic", "educational", "research", "artistic", "counter_terrorism")

DEFAULT_TAXONOMY: dict[str, Any] = {
    "groups": ["group-alpha", "group-beta", "group-gamma", "unaffiliated", "unknown"],
    "tiers": ["tier-1", "tier-2", "tier-3"],
}


def load_taxonomy(path: Path | None) -> dict[str, Any]:
    """The configured taxonomy (a JSON file with ``groups`` and ``tiers``), or the default."""
    if path is None:
        return DEFAULT_TAXONOMY
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), list) for k in ("groups", "tiers")
    ):
        raise ValueError(f"{path}: a taxonomy is a JSON object with lists 'groups' and 'tiers'")
    return data


def normalise_grounds(grounds: list[str] | str | None) -> list[str]:
    """``"a,c"``, ``["2(7)(a)", "c"]`` → ``["a", "c"]``; raises ValueError on anything else."""
    if grounds is None:
        return []
    items = grounds.split(",") if isinstance(grounds, str) else list(grounds)
    out: list[str] = []
    for raw in items:
        letter = raw.strip().lower().replace("art.", "").replace("2(7)", "").strip("() ")
        if letter not in LEGAL_GROUNDS:
            allowed = ", ".join(LEGAL_GROUNDS)
            raise ValueError(f"legal ground {raw!r} is not one of Art. 2(7) {allowed}")
        if letter not in out:
            out.append(letter)
    return sorted(out)


SUGGESTION_SOURCE = "bank_match"
SUGGESTION_NOTE = (
    "Suggested from a known-content bank match, not a decision: an analyst must assess the item."
)


def suggested_labels(entry_labels: dict[str, Any], taxonomy: dict[str, Any]) -> dict[str, Any]:
    """The assessment labels a bank entry's labels pre-fill: its entity as the group and its
    tier, each only when the taxonomy knows the value (a suggestion never fails the form)."""
    out: dict[str, Any] = {}
    entity = entry_labels.get("entity") or entry_labels.get("group")
    if isinstance(entity, str) and entity in taxonomy["groups"]:
        out["group"] = entity
    tier = entry_labels.get("tier")
    if isinstance(tier, str) and tier in taxonomy["tiers"]:
        out["tier"] = tier
    return out
