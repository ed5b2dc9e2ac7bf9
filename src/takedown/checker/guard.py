"""The SSRF guard: which addresses the checker may connect to.

Adversaries choose the URLs we fetch. Every host is turned into addresses (by the resolver,
or read as an address literal in any of the forms C libraries accept: ``2130706433``,
``0177.0.0.1``, ``0x7f.1``, ``[::ffff:127.0.0.1]``) and every address is vetted. The
transport connects to the vetted address itself, so a second DNS answer cannot sneak in.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
LOCALHOST_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"}
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)
_LOOKS_NUMERIC = re.compile(r"^[0-9][0-9a-fx.]*$", re.I)


class Refused(Exception):
    """The guard refuses this URL or address; the message says why."""


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Read ``host`` the way ``inet_aton`` does (1–4 parts, decimal, octal or hex).

    Returns None when ``host`` is not a numeric address at all; raises Refused when it looks
    numeric but is malformed, since resolvers disagree about such names.
    """
    if not _NUMERIC_HOST.match(host):
        if _LOOKS_NUMERIC.match(host) and "." in host and host.rsplit(".", 1)[-1].isdigit():
            raise Refused(f"ambiguous numeric host {host!r}")
        return None
    parts = host.rstrip(".").split(".")
    values: list[int] = []
    for part in parts:
        low = part.lower()
        try:
            if low.startswith("0x"):
                values.append(int(low[2:] or "0", 16))
            elif len(low) > 1 and low.startswith("0"):
                values.append(int(low, 8))
            else:
                values.append(int(low, 10))
        except ValueError:
            raise Refused(f"ambiguous numeric host {host!r}") from None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise Refused(f"numeric host {host!r} is out of range")
    number = 0
    for v in head:
        number = number * 256 + v
    number = (number << (8 * (5 - len(values)))) | last
    return ipaddress.IPv4Address(number)


def address_literal(host: str) -> IPAddress | None:
    """The address a host names literally (IPv6 with or without brackets, loose IPv4)."""
    bare = host.strip("[]")
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare.split("%", 1)[0])
        except ValueError:
            raise Refused(f"malformed IPv6 address {host!r}") from None
    return parse_ipv4_loose(bare)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 0xFFFF:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _why_not_public(ip: IPAddress) -> str | None:
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("not globally routable", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


@dataclass(frozen=True)
class Guard:
    """Vets addresses; ``allow`` lists networks an operator opened explicitly."""

    allow: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str], *, what: str = "--allow-network") -> Guard:
        """The guard that opens ``cidrs``; ValueError naming ``what`` (the option or setting
        they came from) for one that is not a network."""
        nets: list[IPNetwork] = []
        for text in cidrs:
            try:
                nets.append(ipaddress.ip_network(text.strip(), strict=False))
            except (ValueError, TypeError, AttributeError):
                raise ValueError(f"{what}: {text!r} is not a CIDR network") from None
        return cls(tuple(nets))

    def vet_address(self, ip: IPAddress) -> None:
        """Raise Refused unless the checker may connect to ``ip``."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            raise Refused(f"address {ip} is IPv4-mapped IPv6 ({ip.ipv4_mapped})")
        if any(ip.version == net.version and ip in net for net in self.allow):
            return
        if isinstance(ip, ipaddress.IPv6Address):
            inner = _embedded_ipv4(ip)
            if inner is not None:
                why = _why_not_public(inner)
                if why:
                    raise Refused(f"address {ip} embeds {why} IPv4 address {inner}")
        why = _why_not_public(ip)
        if why:
            raise Refused(f"address {ip} is {why}")

    def vet_addresses(self, host: str, addresses: Sequence[str]) -> list[str]:
        """Vet every address a host resolved to; one bad answer refuses them all."""
        if not addresses:
            raise Refused(f"host {host!r} resolved to no address")
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                raise Refused(f"host {host!r} resolved to malformed address {text!r}") from None
            try:
                self.vet_address(ip)
            except Refused as exc:
                raise Refused(f"host {host!r} resolves inside: {exc}") from None
        return list(addresses)

    def literal_or_name(self, host: str) -> tuple[str | None, str]:
        """Split a URL host into (vetted address literal, or None) and the name to resolve.

        Localhost names are read as loopback addresses so no resolver or hosts file decides.
        """
        name = host.strip().rstrip(".").lower()
        if not name:
            raise Refused("URL has no host")
        if name in LOCALHOST_NAMES or name.endswith(".localhost"):
            self.vet_address(ipaddress.IPv4Address("127.0.0.1"))
            return "127.0.0.1", name
        ip = address_literal(name)
        if ip is None:
            return None, name
        self.vet_address(ip)
        return str(ip), name


def vet_scheme(scheme: str) -> None:
    if scheme.lower() not in ALLOWED_SCHEMES:
        raise Refused(f"scheme {scheme!r} is not allowed: only http and https")
