"""What a check says: a verdict, the reason, and the evidence behind it; and its settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    ONLINE = "online"
    REMOVED = "removed"
    RESTRICTED = "restricted"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Hop:
    """One request of a check: what was asked and what came back."""

    url: str
    status: int | None
    location: str | None = None
    address: str | None = None


@dataclass
class Evidence:
    chain: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body_sha256: str | None = None
    body_bytes: int = 0
    body_truncated: bool = False
    rule: str | None = None
    matched: str | None = None
    platform: str | None = None
    attempts: int = 0
    shortener: dict[str, str] | None = None
    observations: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    url: str
    verdict: Verdict
    reason: str
    status: int | None
    final_url: str | None
    evidence: Evidence
    checked_at: datetime

    def as_dict(self) -> dict[str, Any]:
        ev = asdict(self.evidence)
        return {
            "url": self.url,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "status": self.status,
            "final_url": self.final_url,
            "evidence": ev,
            "checked_at": self.checked_at.isoformat(),
        }


HEADERS_KEPT = (
    "content-type",
    "content-length",
    "location",
    "retry-after",
    "server",
    "date",
    "last-modified",
    "etag",
    "x-robots-tag",
    "cf-ray",
    "x-cache",
)


@dataclass(frozen=True)
class CheckerSettings:
    """Every knob of the checker, with polite defaults. Named in docs/checker.md."""

    user_agent: str = "takedown-checker/0.1 (+removal verification)"
    proxy: str | None = None
    allow_networks: tuple[str, ...] = ()
    connect_to: tuple[str, ...] = ()
    concurrency: int = 64
    per_host_concurrency: int = 4
    per_host_rate: float = 5.0  # requests per second per host; 0 = unlimited
    per_host_burst: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    check_timeout: float = 30.0  # whole check: every hop, retry and wait
    max_redirects: int = 8
    max_body_bytes: int = 512 * 1024
    retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 30.0
    confirm_removed: bool = True
    verify_tls: bool = True
