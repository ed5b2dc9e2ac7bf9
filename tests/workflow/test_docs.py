"""docs/workflow.md's diagram is the transition table of takedown.domain.states."""

from __future__ import annotations

import re
from pathlib import Path

from takedown.domain.states import TRANSITIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_the_state_diagram_matches_the_transitions() -> None:
    text = DOC.read_text(encoding="utf-8")
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", diagram, re.MULTILINE))
    allowed = {(src.value, dst.value) for src, dsts in TRANSITIONS.items() for dst in dsts}
    assert drawn - {("[*]", "new")} == allowed
