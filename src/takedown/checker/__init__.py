"""Proof of removal: check URLs safely, politely and fast, and decide with evidence.

``Checker(settings)`` fetches through an SSRF guard (``guard``), under per-host limits
(``limits``), and decides with data-driven platform rules (``rules``, ``rules.json``).
"""

from __future__ import annotations

from takedown.checker.engine import Checker, run
from takedown.checker.guard import Guard, Refused
from takedown.checker.model import CheckerSettings, CheckResult, Evidence, Hop, Verdict
from takedown.checker.rules import RuleBook, default_rules
from takedown.checker.transport import ConnectTo, StubResolver, SystemResolver

__all__ = [
    "CheckResult",
    "Checker",
    "CheckerSettings",
    "ConnectTo",
    "Evidence",
    "Guard",
    "Hop",
    "Refused",
    "RuleBook",
    "StubResolver",
    "SystemResolver",
    "Verdict",
    "default_rules",
    "run",
]
