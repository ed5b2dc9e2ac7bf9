"""The one interface every delivery channel implements."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    """What one delivery sends: plain values read from the outbox row and its unit."""

    delivery_id: int
    channel: str  # webhook, email
    subject_type: str  # referral, order
    subject_id: int
    payload: dict[str, Any]
    unit_name: str
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    email: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt.

    ``ok``: the receiver accepted it (a 2xx, or the SMTP server took the message).
    ``received``: it reached the platform itself (not just a console), so an order's
    1-hour clock starts. ``retry_after``: seconds the receiver asked us to wait (429/503).
    """

    ok: bool
    received: bool = False
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> Outcome: ...


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, key-sorted JSON in UTF-8."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return text.encode("utf-8")


def describe_error(exc: BaseException, *, hide: str | None = None) -> str:
    """A short error text for ``last_error`` and the audit trail, without the destination."""
    text = f"{type(exc).__name__}: {exc}".strip()
    if hide:
        text = text.replace(hide, "<destination>")
    return text[:500]
