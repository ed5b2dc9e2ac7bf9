"""The console channel (``TAKEDOWN_DELIVERY_BACKEND=console``): log what would be sent.

For development and demonstrations: every delivery succeeds at once, nothing leaves the
machine, and an order's clock does not start (the platform received nothing).
"""

from __future__ import annotations

import logging

from takedown.delivery.channel import Message, Outcome, body_of

log = logging.getLogger(__name__)


class ConsoleChannel:
    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: Message) -> Outcome:
        to = message.email if message.channel == "email" else message.webhook_url
        log.info(
            "console delivery %s: would send %s %s to unit %s (%s) by %s: %s",
            message.delivery_id,
            message.subject_type,
            message.subject_id,
            message.unit_name,
            to or "not configured",
            message.channel,
            body_of(message.payload).decode("utf-8")[:2000],
        )
        return Outcome(True, received=False)
