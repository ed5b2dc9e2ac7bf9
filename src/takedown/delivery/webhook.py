"""Signed webhook push: one HTTPS (or HTTP) POST of the JSON payload per delivery.

A 2xx is a delivery. Anything else is a failed attempt; a 429 or 503 may say when to come
back (``Retry-After``, seconds or an HTTP date). The secret is only ever used to sign; it is
never logged or stored elsewhere.

The URL is the platform's choice, so it goes through the checker's guard
(``takedown.checker.outbound``): its host is resolved at each attempt, every address vetted,
and the POST sent to the vetted address itself. A private, loopback or link-local address
is refused before any connection (``TAKEDOWN_OUTBOUND_ALLOW_NETWORKS`` opens a network).
Redirects are not followed: a 3xx is a failed attempt (a platform gives its final URL), since
nothing would vet where it leads. The answer's body is never read or logged: only its status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from takedown import __version__
from takedown.checker.guard import Refused
from takedown.checker.outbound import ALLOW_SETTING, Outbound
from takedown.checker.transport import Resolver
from takedown.delivery.channel import Message, Outcome, body_of, describe_error
from takedown.delivery.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 24 * 3600.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value; None when absent or not understood."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "³", which isdigit() also accepts
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = (when - (now or datetime.now(UTC))).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None
    return min(max(wait, 0.0), MAX_RETRY_AFTER)


def _printable(text: str, limit: int = 100) -> str:
    """A reason phrase as the log may show it: printable characters, at most ``limit``."""
    return "".join(c if c.isprintable() else "?" for c in text[:limit]).strip()


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        timeout: float = 10.0,
        *,
        allow_networks: Iterable[str] = (),
        resolver: Resolver | None = None,
        connect_to: Iterable[str] = (),
        verify: bool = True,
    ) -> None:
        self.timeout = timeout
        self.outbound = Outbound(
            allow_networks, resolver=resolver, connect_to=connect_to, verify=verify
        )

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
            answer = self.outbound.post(
                url, body, self.headers(message, body), timeout=self.timeout
            )
        except Refused as exc:
            error = (
                f"refused: {exc}; a webhook must reach a public address "
                f"({ALLOW_SETTING} opens a private network)"
            ).replace(url, "<destination>")[:500]
            log.warning("delivery %s: webhook refused: %s", message.delivery_id, error)
            return Outcome(False, error=error)
        except httpx.HTTPError as exc:
            error = describe_error(exc, hide=url)
            log.info("delivery %s: webhook failed: %s", message.delivery_id, error)
            return Outcome(False, error=error)
        code = answer.status
        log.info("delivery %s: webhook answered %s", message.delivery_id, code)
        if 200 <= code < 300:
            return Outcome(True, received=True, status_code=code)
        error = f"HTTP {code} {_printable(answer.reason)}".strip()
        if 300 <= code < 400:
            error += ": redirects are not followed; configure the final URL"
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
        return Outcome(False, status_code=code, error=error, retry_after=retry_after)
