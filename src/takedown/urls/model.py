"""The value types of takedown.urls."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# What stands before a secret at the end of a URL: "#", "!", or either percent-encoded, once
# or more ("%23", "%2523").
_MARKS = re.compile(r"(?:[#!]|%(?:25)*2[13])+\Z", re.IGNORECASE)


class UrlError(ValueError):
    """The input cannot be read as a URL of content; the message says why."""


class _Fields(NamedTuple):
    input: str
    canonical_url: str
    platform: str
    kind: str
    account: str | None
    id: str | None
    key: str
    parents: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    secret: str | None = None


class ContentRef(_Fields):
    """One parsed URL: an immutable value, equal to another ``ContentRef`` with equal fields.

    It is a named tuple underneath because parse builds one per report row and a tuple is
    several times cheaper to build than a frozen dataclass. It compares equal only to another
    ``ContentRef``, never to a plain tuple.

    ``secret`` is what the URL carried that opens the content but must not travel with it: a
    file host's decryption key (``mega.nz/file/<id>#<key>``). It is never part of the key, the
    canonical URL or the parents, and :meth:`as_dict` leaves it out; intake keeps it with the
    report, for the reporting unit and auditors only.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is ContentRef:
            return tuple.__eq__(self, other)
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        if type(other) is ContentRef:
            return tuple.__ne__(self, other)
        return True if isinstance(other, tuple) else NotImplemented

    __hash__ = _Fields.__hash__

    def without_secret(self) -> str:
        """The URL as given, less its ``secret``: what may be shown to others and sent on.

        The secret and the ``#``/``!`` marks before it go, written or percent-encoded
        (``mega.nz/file/<id>#<key>`` and ``mega.nz/file/<id>%23<key>`` → ``mega.nz/file/<id>``).
        Where the input does not hold the secret as written exactly once (it came encoded
        inside a wrapper URL, or in another case), the canonical URL stands in.
        """
        secret, text = self.secret, self.input
        if not secret:
            return text
        at = text.rfind(secret)
        if at < 0 or text.find(secret) != at:
            return self.canonical_url
        head, tail = text[:at], text[at + len(secret) :]
        return head + tail if tail else _MARKS.sub("", head)

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
