"""Signed webhook push: one HTTPS (or HTTP) POST of the JSON payload per delivery.

A 2xx is a delivery. Anything else is a failed attempt; a 429 or 503 may say when to come
back (``Retry-After``, seconds or an HTTP date). Redirects are not followed: a platform gives
its final URL. The secret is only ever used to sign; it is never logged or stored elsewhere.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from takedown import __version__
from takedown.delivery.channel import Message, Outcome, body_of, describe_error
from takedown.delivery.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 24 * 3600.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value; None when absent or not understood."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(wait, 0.0), MAX_RETRY_AFTER)


class WebhookChannel:
    name = "webhook"

    def __init__(self, timeout: float = 10.0, transport: httpx.BaseTransport | None = None):
        self.timeout = timeout
        self.transport = transport

    def headers(self, message: Message, body: bytes) -> dict[str, str]:
        assert message.webhook_secret is not None
        return {
            "Content-Type": "application/json",
            "User-Agent": f"takedown/{__version__}",
            SIGNATURE_HEADER: sign(
                message.webhook_secret, body, int(time.time()), delivery=message.delivery_id
            ),
            DELIVERY_HEADER: str(message.delivery_id),
            "X-Takedown-Event": message.subject_type,
        }

    def send(self, message: Message) -> Outcome:
        url = message.webhook_url
        if not url:
            return Outcome(False, error=f"unit {message.unit_name} has no webhook URL configured")
        if not message.webhook_secret:
            return Outcome(False, error=f"unit {message.unit_name} has no webhook secret")
        body = body_of(message.payload)
        try:
            with httpx.Client(
                timeout=self.timeout, follow_redirects=False, transport=self.transport
            ) as client:
                response = client.post(url, content=body, headers=self.headers(message, body))
        except httpx.HTTPError as exc:
            error = describe_error(exc, hide=url)
            log.info("delivery %s: webhook failed: %s", message.delivery_id, error)
            return Outcome(False, error=error)
        code = response.status_code
        log.info("delivery %s: webhook answered %s", message.delivery_id, code)
        if 200 <= code < 300:
            return Outcome(True, received=True, status_code=code)
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"))
        return Outcome(
            False,
            status_code=code,
            error=f"HTTP {code} {response.reason_phrase}".strip(),
            retry_after=retry_after,
        )
