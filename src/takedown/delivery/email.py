"""Email over SMTP: a plain-text message a person can act on, with the JSON attached.

A referral lists its items and URLs; a removal order lists the Annex I fields of
Reg. 2021/784. The message counts as delivered when the SMTP server accepts it.

Values from the payload (a platform name, an order's reference, its authority, URLs) reach
the Subject header and the lines of the text. Inputs should refuse control characters, but
this channel does not count on it: every such value is written on one line, with each control
character shown as an escape (``\r``, ``\n``, ``\x00``), so no value can add a header or a
line. An address that cannot be one (the unit's, or ``TAKEDOWN_SMTP_FROM``) fails that one
delivery with a clear error, which is retried like any other failure once it is fixed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from takedown.config import Settings
from takedown.delivery.channel import Message, Outcome, body_of, describe_error

log = logging.getLogger(__name__)

ORDER_FIELDS = (
    ("reference", "Reference"),
    ("issuing_authority", "Issuing authority"),
    ("member_state", "Member state"),
    ("addressee", "Addressee (hosting service provider)"),
    ("url", "Exact URL of the content"),
    ("grounds", "Grounds (Art. 2(7) of Reg. 2021/784)"),
    ("reasons", "Reasons"),
    ("redress", "Redress"),
    ("non_disclosure", "Non-disclosure (Art. 11(3))"),
    ("issued_at", "Issued at (UTC)"),
)


def one_line(value: object) -> str:
    """``value`` as text on one line: every control character (and the Unicode line and
    paragraph separators) shown as its escape, so it cannot start a header or a line."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class Undeliverable(Exception):
    """This message cannot be sent as it stands; the text says what to fix."""


def _address(value: str, what: str) -> str:
    if not value or not value.isprintable() or any(c.isspace() for c in value):
        raise Undeliverable(
            f"{what} {one_line(value)!r} is not one email address (a control character or "
            "a space in it)"
        )
    return value


def _referral_text(payload: dict[str, Any]) -> tuple[str, str]:
    items = payload.get("items") or []
    referral, platform = one_line(payload.get("referral_id")), one_line(payload.get("platform"))
    subject = (
        f"[takedown] Referral {referral} to {platform}: "
        f"{len(items)} item{'s' if len(items) != 1 else ''}"
    )
    lines = [
        f"Referral {referral} asks {platform} to review the "
        "following content against its terms of service.",
        "",
    ]
    for n, item in enumerate(items, start=1):
        lines.append(f"{n}. {one_line(item.get('url'))}")
        lines.append(f"   item {one_line(item.get('item_id'))}, key {one_line(item.get('key'))}")
    lines += [
        "",
        "Answer for each item through the platform API "
        "(GET /api/v1/platform/referrals, POST /api/v1/platform/referrals/{id}/answers).",
    ]
    return subject, "\n".join(lines)


def _order_text(payload: dict[str, Any]) -> tuple[str, str]:
    subject = (
        f"[takedown] Removal order {one_line(payload.get('reference'))} (Reg. 2021/784): "
        "act within 1 hour"
    )
    lines = [
        "REMOVAL ORDER under Article 3 of Regulation (EU) 2021/784.",
        "Remove or disable access to the content in all Member States within one hour of receipt.",
        "",
    ]
    for key, label in ORDER_FIELDS:
        value = payload.get(key)
        if isinstance(value, list):
            value = ", ".join(f"Art. 2(7)({g})" if key == "grounds" else str(g) for g in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"{label}: {one_line(value) if value not in (None, '') else '-'}")
    return subject, "\n".join(lines)


def compose(message: Message, sender: str) -> EmailMessage:
    if message.subject_type == "order":
        subject, text = _order_text(message.payload)
    else:
        subject, text = _referral_text(message.payload)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = _address(sender, "TAKEDOWN_SMTP_FROM")
    mail["To"] = _address(message.email or "", f"unit {one_line(message.unit_name)}'s email")
    mail["Message-ID"] = make_msgid(f"delivery{message.delivery_id}")
    mail["X-Takedown-Delivery"] = str(message.delivery_id)
    mail["X-Takedown-Event"] = message.subject_type
    mail.set_content(text + "\n\nThe machine-readable request is attached as JSON.\n")
    mail.add_attachment(
        body_of(message.payload),
        maintype="application",
        subtype="json",
        filename=f"{message.subject_type}-{message.subject_id}.json",
    )
    return mail


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.sender = settings.smtp_from
        self.starttls = settings.smtp_starttls
        self.user = settings.smtp_user
        self._password = settings.smtp_password
        self.timeout = settings.webhook_timeout

    def send(self, message: Message) -> Outcome:
        if not message.email:
            return Outcome(False, error=f"unit {message.unit_name} has no email configured")
        try:
            mail = compose(message, self.sender)
        except (Undeliverable, ValueError, TypeError) as exc:  # never raise: record why
            error = f"cannot compose the email: {exc}"[:500]
            log.warning("delivery %s: %s", message.delivery_id, error)
            return Outcome(False, error=error)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self._password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            error = describe_error(exc)
            if self._password:
                error = error.replace(self._password, "<password>")
            log.info("delivery %s: email failed: %s", message.delivery_id, error)
            return Outcome(False, error=error)
        log.info("delivery %s: email accepted by %s", message.delivery_id, self.host)
        return Outcome(True, received=True)
