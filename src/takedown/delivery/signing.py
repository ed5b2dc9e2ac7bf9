"""Webhook signatures: HMAC-SHA256 over ``f"{timestamp}.{body}"``.

The header looks like ``X-Takedown-Signature: t=1764345600,v1=5f1c…`` (hex digest). A
receiver recomputes the HMAC with its secret, compares in constant time, and refuses a
timestamp outside its replay window. ``verify_signature`` is the reference implementation
that docs/operations.md shows platform integrators; it uses the standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Takedown-Signature"
SCHEME = "v1"


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes | str, timestamp: int | None = None) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp`` (default now)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},{SCHEME}={_mac(secret, ts, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` s old.

    ``body`` must be the raw request body, exactly as received. Several ``v1=`` entries are
    accepted (one per secret while a secret is being rotated).
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False  # too old (a replay) or from a clock far ahead
    expected = _mac(secret, timestamp, body)
    # compare_digest for every candidate: the time taken does not depend on the secret
    matches = [hmac.compare_digest(expected, c) for c in candidates]
    return any(matches)
