"""The vocabulary of assessment: verdicts, legal grounds and the label taxonomy."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


class Verdict(StrEnum):
    TERRORIST_CONTENT = "terrorist_content"
    NOT_TERRORIST_CONTENT = "not_terrorist_content"
    EXEMPT = "exempt"  # Art. 1(3): journalistic, educational, research, artistic


class AssessmentStatus(StrEnum):
    FINAL = "final"
    PENDING_CONFIRMATION = "pending_confirmation"  # four-eyes: a second senior assessor confirms
    SUPERSEDED = "superseded"  # a later assessment of the item replaced it


# Reg. 2021/784 Art. 2(7)
LEGAL_GROUNDS = {
    "a": "incites the commission of a terrorist offence",
    "b": "solicits a person or group to commit or contribute to a terrorist offence",
    "c": "solicits a person or group to participate in the activities of a terrorist group",
    "d": "provides instruction on weapons, explosives or hazardous substances for terrorism",
    "e": "constitutes a threat to commit a terrorist offence",
}
EXEMPT_PURPOSES = ("journalistic", "educational", "research", "artistic", "counter_terrorism")

#: The built-in taxonomy: a dated snapshot of the groups on the EU terrorist list and on the UN
#: ISIL (Da'esh) and Al-Qaida Sanctions List, with its sources and how to replace it.
DEFAULT_TAXONOMY_FILE = "taxonomy.json"


def load_taxonomy(path: Path | None) -> dict[str, Any]:
    """The taxonomy in ``path`` (TAKEDOWN_TAXONOMY_FILE), or the built-in default.

    Returns ``{"groups": [slug, ...], "tiers": [tier, ...]}``. A file's ``groups`` may list
    slugs, or objects with at least a ``"slug"`` (the default file's form, which adds the
    display name and the lists a group is on); other keys are documentation.
    """
    if path is None:
        return _default_taxonomy()
    return _parse_taxonomy(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _default_taxonomy() -> dict[str, Any]:
    text = resources.files("takedown.domain").joinpath(DEFAULT_TAXONOMY_FILE).read_text("utf-8")
    return _parse_taxonomy(text, DEFAULT_TAXONOMY_FILE)


def _parse_taxonomy(text: str, where: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), list) for k in ("groups", "tiers")
    ):
        raise ValueError(f"{where}: a taxonomy is a JSON object with lists 'groups' and 'tiers'")
    groups: list[str] = []
    for entry in data["groups"]:
        slug = entry.get("slug") if isinstance(entry, dict) else entry
        if not isinstance(slug, str) or not slug:
            raise ValueError(f"{where}: group {entry!r} is neither a slug nor has a 'slug'")
        if slug in groups:
            raise ValueError(f"{where}: group {slug!r} is listed twice")
        groups.append(slug)
    if not all(isinstance(t, str) and t for t in data["tiers"]):
        raise ValueError(f"{where}: every tier is a non-empty string")
    return {"groups": groups, "tiers": list(data["tiers"])}


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
