"""Host canonicalisation: case, IDNA/punycode, IPv4 forms, IPv6, registrable domains.

Follows the WHATWG host parser for special schemes, with two deliberate differences for dedupe:
leading, trailing and repeated dots are removed (as Safe Browsing does), and IDNA is checked
with the stricter IDNA 2008 rules of the ``idna`` package.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote

import idna

from takedown.urls.model import UrlError
from takedown.urls.psl import public_suffix_start, top_domain

# Forbidden domain code points (WHATWG) after percent-decoding, plus the C0 controls and DEL.
_FORBIDDEN = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_PLAIN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)")


def _ipv4_part(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        return int(digits, 16) if digits else 0
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8) if all(c in "01234567" for c in part[1:]) else None
    return int(part) if part.isdigit() else None


def _ipv4(host: str) -> str | None:
    """Dotted-decimal form of a host that ends in a number; None if it does not; error if bad."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not _NUMBER.fullmatch(parts[-1]):
        return None
    if len(parts) > 4:
        raise UrlError(f"invalid IPv4 address {host!r}: more than four parts")
    numbers: list[int] = []
    for part in parts:
        value = _ipv4_part(part) if part else None
        if value is None:
            raise UrlError(f"invalid IPv4 address {host!r}: bad part {part!r}")
        numbers.append(value)
    last = numbers.pop()
    if any(n > 255 for n in numbers) or last >= 256 ** (4 - len(numbers)):
        raise UrlError(f"invalid IPv4 address {host!r}: a part is out of range")
    value = last
    for i, n in enumerate(numbers):
        value += n << (8 * (3 - i))
    return ".".join(str((value >> s) & 255) for s in (24, 16, 8, 0))


def _ipv6(host: str) -> str:
    if not host.endswith("]"):
        raise UrlError(f"unbalanced IPv6 brackets in host {host!r}")
    try:
        address = ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        raise UrlError(f"invalid IPv6 address {host!r}") from None
    return f"[{address.compressed}]"


def _idna(host: str) -> str:
    try:
        encoded = idna.encode(host, uts46=True, transitional=False, std3_rules=False)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise UrlError(f"invalid international domain name {host!r}: {exc}") from None
    return encoded.decode("ascii")


@lru_cache(maxsize=65536)
def canonical_host(raw: str) -> str:
    """The canonical ASCII form of a URL's host; raises UrlError when it is not a valid host."""
    if (
        _PLAIN.fullmatch(raw)
        and "xn--" not in raw
        and not raw[-1].isdigit()
        and not raw.endswith(".0x")
        and len(raw) < 254
    ):
        return raw  # the common case: already lowercase ASCII, no dots to tidy, not an IP
    if raw.startswith("["):
        return _ipv6(raw)
    if "]" in raw:
        raise UrlError(f"unbalanced IPv6 brackets in host {raw!r}")
    try:
        host = unquote(raw, errors="strict") if "%" in raw else raw
    except UnicodeDecodeError:
        raise UrlError(f"host {raw!r} is percent-encoded bytes that are not UTF-8") from None
    if _FORBIDDEN.search(host):
        bad = _FORBIDDEN.search(host)
        char = bad.group() if bad else "?"
        raise UrlError(f"forbidden character {char!r} in host {raw!r}")
    _ipv4(host.lower())  # an IPv4 form with empty parts is an error before dots are tidied
    host = ".".join(label for label in host.split(".") if label)
    if not host:
        raise UrlError(f"no host: {raw!r} is only dots (a relative path is no URL)")
    if host.isascii():
        host = host.lower()
        for label in host.split("."):
            if label.startswith("xn--"):
                try:
                    idna.decode(label)
                except (idna.IDNAError, UnicodeError, ValueError) as exc:
                    raise UrlError(f"invalid punycode label {label!r} in host: {exc}") from None
    else:
        host = _idna(host)
        if _FORBIDDEN.search(host):
            raise UrlError(f"forbidden character in host {raw!r} after IDNA mapping")
    address = _ipv4(host)
    if address is not None:
        return address
    if len(host) > 253:
        raise UrlError(f"host is {len(host)} characters, over the DNS limit of 253")
    return host


def is_ip(host: str) -> bool:
    return host.startswith("[") or (host[-1].isdigit() and _ipv4(host) == host)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The registrable domain (public suffix plus one label); the host itself for IPs."""
    if is_ip(host):
        return host
    return top_domain(host) or host


@lru_cache(maxsize=65536)
def has_public_suffix(host: str) -> bool:
    """Whether ``host`` is an IP or ends in a public suffix (``lorem.example`` and
    ``index.html`` do not: no such top-level domain exists)."""
    return is_ip(host) or public_suffix_start(host.split(".")) is not None
