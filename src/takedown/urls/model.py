"""The value types of takedown.urls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class UrlError(ValueError):
    """The input cannot be read as a URL of content; the message says why."""


@dataclass(frozen=True, slots=True)
class ContentRef:
    input: str
    canonical_url: str
    platform: str
    kind: str
    account: str | None
    id: str | None
    key: str
    parents: tuple[str, ...] = field(default=())
    flags: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "ok": True,
            "canonical_url": self.canonical_url,
            "platform": self.platform,
            "kind": self.kind,
            "account": self.account,
            "id": self.id,
            "key": self.key,
            "parents": list(self.parents),
            "flags": list(self.flags),
        }
