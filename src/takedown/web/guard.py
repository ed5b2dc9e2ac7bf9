"""Defences in front of the application, before anything is parsed or authenticated.

``RequestGuard`` is a pure ASGI middleware. Per request it
- names the client: the socket's address, or with trusted proxies the right-most address of
  ``X-Forwarded-For`` that is not one of them (``client_address``);
- refuses a path or query string that is not UTF-8 text (400);
- caps the body per route (``BodyLimits``): a ``Content-Length`` over the cap is refused
  (413) before one byte of the body is read, and a body without one (chunked) is counted as
  it streams in and refused once over the cap. A route whose cap is above the default admits
  a larger body only from a caller with a valid token (``admit_large``);
- refuses a JSON body holding a lone UTF-16 surrogate escape (``"\\ud800"`` not followed by a
  low one), which Python's json reads into a string that no database or encoder takes (400);
- adds the hygiene headers to every response (``HYGIENE``).

Header size and header-read time are capped one level below, in the HTTP protocol:
``HeaderGuardedProtocol`` (uvicorn's httptools protocol, counting bytes until the headers end).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from takedown.errors import envelope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The answer to JSON: nothing may load, nothing may frame it.
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
HYGIENE: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", JSON_CSP.encode("ascii")),
)


@dataclass(frozen=True)
class RouteCap:
    method: str
    path: re.Pattern[str]
    limit: int
    what: str  # "a report batch", for the 413's message
    setting: str  # the setting that raises it


@dataclass(frozen=True)
class BodyLimits:
    default: int
    routes: tuple[RouteCap, ...] = ()

    def cap(self, method: str, path: str) -> tuple[int, str, str]:
        """The cap on this request's body, what the body is, and the setting behind it."""
        for route in self.routes:
            if route.method == method and route.path.fullmatch(path):
                return route.limit, route.what, route.setting
        return self.default, "this request", "TAKEDOWN_MAX_BODY_BYTES"


# A refusal: status, message, extra headers. ``admit_large`` answers one, or None to admit.
Refusal = tuple[int, str, Sequence[tuple[str, str]]]
Admit = Callable[[Scope], Awaitable[Refusal | None]]


class _Refused(Exception):
    """Raised from ``receive`` once a streamed body is refused; the guard answers instead."""


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: BodyLimits,
        trusted_proxies: Iterable[str] = (),
        admit_large: Admit | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.trusted = tuple(ipaddress.ip_network(n, strict=False) for n in trusted_proxies)
        self.admit_large = admit_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_hygiene(send)
        if self.trusted:
            _from_proxy(scope, self.trusted)
        problem = text_problem(scope)
        if problem is not None:
            await refuse(send, 400, f"invalid text: {problem}")
            return
        headers = _headers(scope)
        limit, what, setting = self.limits.cap(scope["method"], scope["path"])
        try:
            length = _content_length(headers)
        except ValueError as exc:
            await refuse(send, 400, str(exc))
            return
        if length is not None and length > limit:
            await refuse(send, 413, _too_large(limit, what, setting))
            return
        chunked = length is None and b"transfer-encoding" in headers
        if not length and not chunked:  # no body: nothing to count or scan
            await self.app(scope, receive, send)
            return
        default = self.limits.default
        if self.admit_large and limit > default and (chunked or (length or 0) > default):
            refusal = await self.admit_large(scope)
            if refusal is not None:
                status, message, extra = refusal
                await refuse(send, status, message, extra)
                return
        await _BodyCheck(self.app, limit, _too_large(limit, what, setting), _is_json(headers))(
            scope, receive, send
        )


class _BodyCheck:
    """One request: counts and scans its body as the app reads it; answers a refusal in
    place of the app's own answer."""

    def __init__(self, app: ASGIApp, limit: int, too_large: str, scan: bool) -> None:
        self.app = app
        self.limit = limit
        self.too_large = too_large
        self.scanner = SurrogateScanner() if scan else None
        self.seen = 0
        self.refusal: tuple[int, str] | None = None
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def checked_receive() -> Message:
            if self.refusal is not None:
                raise _Refused
            message = await receive()
            if message["type"] != "http.request":
                return message
            body: bytes = message.get("body", b"")
            self.seen += len(body)
            if self.seen > self.limit:
                self.refusal = (413, self.too_large)
            elif self.scanner is not None:
                problem = self.scanner.feed(body, final=not message.get("more_body", False))
                if problem is not None:
                    self.refusal = (400, f"invalid text: {problem}")
            if self.refusal is not None:
                raise _Refused
            return message

        async def guarded_send(message: Message) -> None:
            if self.refusal is not None:
                return  # the app's answer to a body it never got: the guard answers
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, checked_receive, guarded_send)
        except Exception:
            if self.refusal is None or self.started:
                raise
        if self.refusal is not None and not self.started:
            await refuse(send, *self.refusal)


def _too_large(limit: int, what: str, setting: str) -> str:
    return f"request body over the limit of {limit} bytes ({_human(limit)}) for {what} ({setting})"


def _human(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


async def refuse(
    send: Send, status: int, message: str, headers: Sequence[tuple[str, str]] = ()
) -> None:
    """Answer the error envelope, ``{"error": message}``, and close the connection (a body
    may be left unread)."""
    body = json.dumps(envelope(message)).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
                *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _with_hygiene(send: Send) -> Send:
    async def hygienic(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            headers += [(k, v) for k, v in HYGIENE if k not in present]
            message = {**message, "headers": headers}
        await send(message)

    return hygienic


def _headers(scope: Scope) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for name, value in scope.get("headers", ()):
        out.setdefault(name.lower(), []).append(value)
    return out


def _content_length(headers: dict[bytes, list[bytes]]) -> int | None:
    values = {v.strip() for v in headers.get(b"content-length", ())}
    if not values:
        return None
    if len(values) > 1 or not all(v.isdigit() for v in values):
        raise ValueError("invalid Content-Length")
    return int(values.pop())


def _is_json(headers: dict[bytes, list[bytes]]) -> bool:
    """What FastAPI parses as JSON: no Content-Type, or application/json or …+json."""
    kinds = headers.get(b"content-type")
    if not kinds:
        return True
    kind = kinds[0].split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (
        kind.startswith(b"application/") and kind.endswith(b"+json")
    )


def text_problem(scope: Scope) -> str | None:
    """Why the path or the query string is not text, or None."""
    path: str = scope.get("path", "")
    raw: bytes = scope.get("raw_path") or path.encode("utf-8", "surrogatepass")
    for what, value in (("the path", raw), ("the query string", scope.get("query_string", b""))):
        if not value or (value.isascii() and b"%" not in value):
            continue
        try:
            unquote_to_bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return f"{what} is not UTF-8 text once percent-decoded"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "the path holds a lone UTF-16 surrogate"
    return None


# -- lone surrogate escapes in JSON, found as the body streams by -----------------------------

# From a token boundary: everything but a surrogate escape (plain bytes, escapes other than
# \u, \u escapes outside D800–DFFF), then optionally one surrogate escape. Possessive, so the
# scan is linear; the loop in ``feed`` runs once per surrogate, not once per byte.
_STEP = re.compile(
    rb"(?:[^\\]++|\\[^u]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4})*+"
    rb"(\\u[dD]([89a-fA-F])[0-9a-fA-F]{2})?"
)
_LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_ESCAPE = 6  # len(b"\\ud800")


class SurrogateScanner:
    """Finds a ``\\uD800``–``\\uDBFF`` escape not followed by a ``\\uDC00``–``\\uDFFF`` one,
    or a low one alone, in JSON fed chunk by chunk (an escape may straddle two chunks)."""

    def __init__(self) -> None:
        self.carry = b""  # an escape cut off by the end of the last chunk
        self.offset = 0  # position in the body of the next byte fed after carry

    def feed(self, chunk: bytes, *, final: bool) -> str | None:
        if not self.carry and b"\\" not in chunk:
            self.offset += len(chunk)
            return None
        buf = self.carry + chunk
        start_of_buf = self.offset - len(self.carry)
        self.offset += len(chunk)
        self.carry = b""
        pos, n = 0, len(buf)
        while True:
            found = _STEP.match(buf, pos)
            assert found is not None  # the pattern matches the empty string
            end = found.end()
            if found.group(1) is None:
                if end >= n:
                    return None
                if not final and n - end < _ESCAPE:
                    self.carry = buf[end:]  # an escape that the next chunk completes
                    return None
                pos = end + 1  # a backslash that starts no escape: not JSON, the parser says so
                continue
            at = found.start(1)
            escape = buf[at : at + _ESCAPE].decode("ascii")
            if found.group(2) in b"89abAB":  # a high surrogate: the low one must follow
                low_at = at + _ESCAPE
                if _LOW.match(buf, low_at):
                    pos = low_at + _ESCAPE
                    continue
                if not final and n - low_at < _ESCAPE:
                    self.carry = buf[at:]
                    return None
            return f"lone UTF-16 surrogate {escape} at byte {start_of_buf + at} of the body"


# -- the client's address -------------------------------------------------------------------


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("["):  # [v6]:port
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str | None:
    """The client: the peer, unless it is a trusted proxy; then the right-most address in
    X-Forwarded-For that is not a trusted proxy (the left-most if all are). A malformed entry
    stops the walk at the last trusted hop, which is then the client."""
    peer_ip = _address(peer) if peer else None
    if peer_ip is None or not any(peer_ip in net for net in trusted):
        return peer
    current: str = str(peer_ip)
    hops = [h for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:
            return current
        current = str(ip)
        if not any(ip in net for net in trusted):
            return current
    return current


def _from_proxy(scope: Scope, trusted: Sequence[Network]) -> None:
    """Put the client that trusted proxies name into the scope (and their scheme)."""
    client = scope.get("client")
    peer = client[0] if client else None
    headers = _headers(scope)
    forwarded = [v.decode("latin-1") for v in headers.get(b"x-forwarded-for", ())]
    found = client_address(peer, forwarded, trusted)
    if found != peer and found is not None:
        scope["client"] = (found, client[1] if client else 0)
        proto = headers.get(b"x-forwarded-proto", [b""])[-1].decode("latin-1").strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto


# -- header size and header-read time, in the HTTP protocol ----------------------------------

_431 = b"Request Header Fields Too Large"
_408 = b"Request Timeout"


class HeaderGuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on the bytes of a request line and headers
    (httptools has none) and on the time to send them (a client sending a byte a second
    holds a connection for ever otherwise). Over the cap: 431 and the connection closes; too
    slow: 408 and it closes. Set the class attributes with ``guarded_protocol``."""

    max_header_bytes = 32 * 1024
    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = 0
        self._reading_headers = True
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._reading_headers:
            super().data_received(data)
            return
        room = self.max_header_bytes - self._header_bytes
        if len(data) <= room:
            self._header_bytes += len(data)
            super().data_received(data)
            return
        self._header_bytes = self.max_header_bytes
        super().data_received(data[:room])  # the headers may end within the room
        if self.transport.is_closing():
            return
        if self._reading_headers:
            self._refuse(
                431,
                _431,
                b"request headers over the limit of %d bytes (TAKEDOWN_MAX_HEADER_BYTES)"
                % self.max_header_bytes,
            )
            return
        self.data_received(data[room:])  # a body, or the next request

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_headers = True  # what comes next is the next request's
        self._header_bytes = 0

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self._reading_headers or self.transport.is_closing():
            return
        if self._header_bytes == 0:
            self.transport.close()  # an idle connection: nothing to answer
            return
        self._refuse(
            408,
            _408,
            b"request headers not received within %g s (TAKEDOWN_HEADER_TIMEOUT)"
            % self.header_timeout,
        )

    def _refuse(self, status: int, reason: bytes, message: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:  # no answer under way
            body = json.dumps(envelope(message.decode("ascii"))).encode("ascii")
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (status, reason, len(body), body)
            )
        self._reading_headers = False
        self.transport.close()


def guarded_protocol(max_header_bytes: int, header_timeout: float) -> type[HeaderGuardedProtocol]:
    """The protocol class for uvicorn's ``http=`` with these limits."""
    return type(
        "HeaderGuardedProtocol",
        (HeaderGuardedProtocol,),
        {"max_header_bytes": max_header_bytes, "header_timeout": header_timeout},
    )


__all__ = [
    "HYGIENE",
    "JSON_CSP",
    "BodyLimits",
    "HeaderGuardedProtocol",
    "RequestGuard",
    "RouteCap",
    "SurrogateScanner",
    "client_address",
    "guarded_protocol",
    "refuse",
    "text_problem",
]
