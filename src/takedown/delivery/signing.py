"""Webhook signatures: HMAC-SHA256 over the timestamp, the delivery id and the body.

The header looks like ``X-Takedown-Signature: t=1764345600,v2=5f1c…,v1=9a0b…`` (hex digests).
``v2`` signs ``f"{t}.{delivery}.{body}"``, where ``delivery`` is the ``X-Takedown-Delivery``
header (the delivery id, ASCII digits): a receiver that deduplicates on that id can trust it,
since changing it breaks the signature. ``v1`` signs ``f"{t}.{body}"`` only; it is still sent
so that receivers built on that first scheme keep working, and is going away. A receiver
recomputes the HMAC with its secret, compares in constant time, and refuses a timestamp
outside its replay window. ``verify_signature`` is the reference implementation that
docs/api.md shows platform integrators; it accepts ``v2`` only (a request stripped down to
``v1`` is refused) and uses the standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Takedown-Signature"
DELIVERY_HEADER = "X-Takedown-Delivery"
SCHEME = "v2"
LEGACY_SCHEME = "v1"  # no delivery id: sent for receivers of the first scheme, never verified


def _mac(secret: str, signed: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _signed(timestamp: int, delivery: str, body: bytes) -> bytes:
    return f"{timestamp}.{delivery}.".encode("ascii") + body


def _delivery_id(delivery: int | str) -> str | None:
    text = str(delivery)
    return text if text.isascii() and text.isdigit() else None


def sign(
    secret: str, body: bytes | str, timestamp: int | None = None, *, delivery: int | str
) -> str:
    """The signature header for ``body`` sent as delivery ``delivery`` at ``timestamp``
    (default now)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    ident = _delivery_id(delivery)
    if ident is None:
        raise ValueError(f"a delivery id is ASCII digits, not {delivery!r}")
    ts = int(time.time()) if timestamp is None else int(timestamp)
    legacy = _mac(secret, str(ts).encode("ascii") + b"." + body)
    return f"t={ts},{SCHEME}={_mac(secret, _signed(ts, ident, body))},{LEGACY_SCHEME}={legacy}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    *,
    delivery: str,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` as delivery ``delivery`` (the X-Takedown-Delivery
    header as received) with ``secret``, and is at most ``tolerance`` s old.

    ``body`` must be the raw request body, exactly as received. Several ``v2=`` entries are
    accepted (one per secret while a secret is being rotated); ``v1=`` entries are ignored.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    ident = _delivery_id(delivery)
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value and value.isascii():  # compare_digest needs ASCII
            candidates.append(value)
    if ident is None or timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False  # too old (a replay) or from a clock far ahead
    expected = _mac(secret, _signed(timestamp, ident, body))
    # compare_digest for every candidate: the time taken does not depend on the secret
    matches = [hmac.compare_digest(expected, c) for c in candidates]
    return any(matches)
