"""One fetch of a URL: each redirect hop vetted and recorded, the body read up to a cap.

Cookies live for one fetch: a cookie set on a hop goes back on the later hops it matches
(the "set a cookie, then redirect to yourself" walls), and nothing carries over to the next
check or to a confirmation, so no verdict depends on which URLs were checked before it.

Walls are known by where a redirect leads (``walls``, the rules' ``wall_for``): a redirect
to a login page ends the fetch there, unfollowed, with the wall as its answer; a redirect to
a consent host is answered once with the platform's consent cookies, and the URL that
redirected is asked again. Only when the wall remains does the fetch end at it.
The client's own jar is therefore switched off (``CheckerClient``): httpx would otherwise
parse every response's headers for cookies, about a fifth of a check's CPU.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from takedown.checker.guard import Refused, vet_scheme
from takedown.checker.http1 import FastTransport, fields
from takedown.checker.limits import HostLimits
from takedown.checker.model import HEADERS_KEPT, Evidence, Hop
from takedown.checker.transport import GuardedBackend, NameNotFound

if TYPE_CHECKING:
    from takedown.checker.rules import Wall


class _NoCookies(httpx.Cookies):
    """A jar that keeps nothing: cookies are kept per fetch, see the module's docstring."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class Reply(Protocol):
    """A response head, then its body (``read``, up to a cap), then ``aclose``."""

    status: int
    headers: dict[str, str]  # as ``header_dict`` reads them
    raw: list[tuple[bytes, bytes]]  # as sent (cookies are read from these)
    peer: str | None  # the address that answered, "ADDR:PORT"

    async def read(self, cap: int) -> tuple[bytes, bool]: ...

    async def aclose(self) -> None: ...


class _HttpxReply:
    """A ``Reply`` from any httpx transport (``HostPools``, through a proxy)."""

    __slots__ = ("_response", "headers", "peer", "raw", "status")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.raw = response.headers.raw
        self.headers = dict(response.headers.items())
        self.peer = _peer(response)

    async def read(self, cap: int) -> tuple[bytes, bool]:
        return await _read_capped(self._response, cap)

    async def aclose(self) -> None:
        await self._response.aclose()


class CheckerClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` without a client-wide cookie jar, and a cheap way to make a GET.

    ``reply(url, jar)`` sends a GET with the client's headers (and the jar's cookies) through
    the transport and nothing more: ``fetch`` follows redirects itself, hop by hop, and
    httpx's own handling would parse every ``Location`` to build a next request nobody
    sends, raising out of the check on a hostile one. On ``FastTransport`` no
    ``httpx.Request`` or ``httpx.Response`` is made (``FastTransport.get``); on any other
    transport the request is ``build_request("GET", url)`` without the merging a checker
    never needs (no base URL, no params, no client cookies). The client's headers and
    timeouts are read once, so set them when making the client.
    """

    def __init__(self, *, transport: httpx.AsyncBaseTransport, **kwargs: Any) -> None:
        super().__init__(transport=transport, **kwargs)
        self._send_transport = transport
        self._fast = transport if isinstance(transport, FastTransport) else None
        self._origin_headers: dict[bytes, tuple[httpx.Headers, bytes | None]] = {}
        self._timeouts = self.timeout.as_dict()

    async def reply(self, url: httpx.URL, jar: httpx.Cookies | None = None) -> Reply:
        """The response head to a GET of ``url``; read its body, then close it."""
        headers, block = self._origin(url)
        cookie = _cookie_header(jar, url) if jar is not None else None
        if self._fast is not None and block is not None:
            if cookie is not None:
                block += fields(httpx.Headers({"Cookie": cookie}))
            return await self._fast.get(url, block, self._timeouts)
        # a GET has no body, so no framing headers: the stream is only there to say so
        request = httpx.Request(
            "GET", url, headers=headers, stream=_NO_BODY, extensions={"timeout": self._timeouts}
        )
        if cookie is not None:
            request.headers["Cookie"] = cookie
        response = await self._send_transport.handle_async_request(request)
        response.request = request
        return _HttpxReply(response)

    def _origin(self, url: httpx.URL) -> tuple[httpx.Headers, bytes | None]:
        """The headers of a GET to ``url``'s origin, and as ``FastTransport.get`` sends them
        (None: they cannot be sent, and the transport will say why)."""
        found = self._origin_headers.get(url.netloc)
        if found is None:
            headers = httpx.Headers([(b"Host", url.netloc), *self.headers.raw])
            try:
                block: bytes | None = fields(headers)
            except httpx.LocalProtocolError:
                block = None
            found = (headers, block)
            if len(self._origin_headers) < 10_000:
                self._origin_headers[url.netloc] = found
        return found

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        if cookies:
            raise ValueError("the checker keeps cookies per fetch, not per client")


_NO_COOKIES = _NoCookies()
_NO_BODY = httpx.ByteStream(b"")


class RedirectProblem(Exception):
    """A redirect loop, too many hops, or a Location that cannot be followed."""


@dataclass
class Fetched:
    url: str
    host: str  # ``url``'s, lower case, no trailing dot (``url_host``)
    status: int
    headers: dict[str, str]  # as ``header_dict`` reads them
    body: bytes
    truncated: bool
    wall: Wall | None = None  # the fetch stopped at this wall; ``url`` is where it led

    def text(self, charset: str | None) -> str:
        """The body as text in ``charset`` (the server's word), or UTF-8 when that is not a
        text encoding Python knows (``charset=idna`` refuses ``errors="replace"``)."""
        try:
            return self.body.decode(charset or "utf-8", errors="replace")
        except (LookupError, ValueError, TypeError):
            return self.body.decode("utf-8", errors="replace")


# labels of a host name as the resolver gets it (IDNA already applied): letters, digits,
# hyphen and underscore (both seen in real names), 1 to 63 of them, joined by dots
_NAME = re.compile(rb"(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}")


def vet_host(url: httpx.URL) -> None:
    """Refuse a URL whose host no resolver should be asked about (``a..b``, ``a%20b``, a label
    over 63 characters): it could only fail there, or fail in a way nobody foresaw."""
    host = url.raw_host
    if not host:
        raise Refused("URL has no host")
    if b":" in host:
        return  # an IPv6 literal, which httpx has parsed already
    name = host[:-1] if host.endswith(b".") else host
    if len(name) > 253 or not _NAME.fullmatch(name):
        raise Refused(f"host {url.host!r} is not a valid host name")


# A URL in the form httpx gives back unchanged: http(s), a lower-case host name (no port, no
# user), a path and a query of characters that need no escape, no "%", no fragment.
_PLAIN_URL = re.compile(
    r"(https?)://([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)"
    r"(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?(?:\?([A-Za-z0-9._~!$&'()*+,;=:@/?-]*))?"
)
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")  # httpx reads these as addresses


def _plain_url(url: str) -> httpx.URL | None:
    """``httpx.URL(url)`` without its parser, for a URL that parser would leave as it is.

    httpx's parser checks and escapes every character in Python: about 20 µs a URL, more
    than reading its answer's headers and body. A URL of the plainest form (``_PLAIN_URL``: nothing to escape,
    lower case, no port, no dot segment, no address) parses to its own parts, so they are
    set directly; any other URL (None here) goes through httpx. ``_FAST`` is off when this
    httpx keeps URLs another way, and ``tests/checker/test_fetch.py`` holds the two equal
    on generated URLs.
    """
    m = _PLAIN_URL.fullmatch(url)
    if m is None or len(url) > 2048:
        return None
    scheme, host, path, query = m.groups()
    if _IPV4_STYLE.fullmatch(host) or (path is not None and "/." in path):
        return None
    parsed = httpx.URL.__new__(httpx.URL)
    parsed._uri_reference = _ParseResult(scheme, "", host, None, path or "", query, None)
    return parsed


def _works() -> bool:
    """The shortcut is only taken while httpx keeps URLs the way it was written for."""
    probe = "http://a.example/b-c/d.e?f=g&h"
    try:
        fast = _plain_url(probe)
        return fast is not None and (fast.raw_path, str(fast)) == (b"/b-c/d.e?f=g&h", probe)
    except Exception:  # pragma: no cover - a later httpx
        return False


try:
    from httpx._urlparse import ParseResult as _ParseResult
except ImportError:  # pragma: no cover - a later httpx
    _FAST = False
else:
    _FAST = _works()


def parse_url(url: str) -> httpx.URL:
    try:
        parsed = (_plain_url(url) if _FAST and isinstance(url, str) else None) or httpx.URL(url)
    except Exception as exc:  # any failure to parse a hostile URL is a refusal
        raise Refused(f"not a valid URL: {exc}") from None
    vet_scheme(parsed.scheme)
    vet_host(parsed)
    return parsed


def _next_hop(current: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect leads; Refused (a scheme or host the guard refuses) or RedirectProblem
    (a Location that is not a URL) when it cannot be followed."""
    try:
        nxt = current.join(location)
    except Exception as exc:  # a Location is hostile input; httpx raises several
        raise RedirectProblem(f"redirect to an invalid URL: {type(exc).__name__}: {exc}") from None
    vet_scheme(nxt.scheme)
    vet_host(nxt)
    return nxt


def _peer(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        addr = stream.get_extra_info("server_addr")
    except Exception:  # pragma: no cover - depends on the backend
        return None
    return f"{addr[0]}:{addr[1]}" if addr else None


async def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        room = cap - size
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


_NO_COOKIE_STATE: frozenset[tuple[str, str, str, str | None]] = frozenset()


def _drop_unsendable(jar: httpx.Cookies) -> None:
    """Forget cookies that cannot go back in a header (a name or value that is not printable
    ASCII): sending one would raise, and a browser would send bytes nobody can rely on."""
    for cookie in list(jar.jar):
        text = f"{cookie.name}={cookie.value or ''}"
        if not (text.isascii() and text.isprintable()):
            jar.jar.clear(cookie.domain, cookie.path, cookie.name)


def _cookie_header(jar: httpx.Cookies, url: httpx.URL) -> str | None:
    """The ``Cookie`` header the jar sends to ``url``, if any."""
    request = httpx.Request("GET", url)
    jar.set_cookie_header(request)
    cookie: str | None = request.headers.get("cookie")
    return cookie


def _cookie_state(jar: httpx.Cookies | None) -> frozenset[tuple[str, str, str, str | None]]:
    if jar is None:
        return _NO_COOKIE_STATE
    return frozenset((c.domain, c.path, c.name, c.value) for c in jar.jar)


async def fetch(
    client: CheckerClient,
    backend: GuardedBackend,
    limits: HostLimits,
    start: httpx.URL,
    evidence: Evidence,
    *,
    max_redirects: int,
    max_body: int,
    prevet: bool,
    walls: Callable[[str], Wall | None] | None = None,
) -> Fetched:
    """GET ``start`` (from ``parse_url``), following at most ``max_redirects`` hops; every
    hop is recorded. A redirect to a wall (``walls``) is not followed: see the module's
    docstring."""
    current = start
    current_text = str(current)
    jar: httpx.Cookies | None = None
    answered = False  # a consent wall was answered with its cookies
    seen: set[tuple[str, frozenset[tuple[str, str, str, str | None]]]] | None = None
    for _ in range(max_redirects + 1):
        host = current.host
        port = current.port or (443 if current.scheme == "https" else 80)
        if prevet:  # through a proxy, the proxy resolves; vet what it will reach first
            try:
                await backend.vetted(host, port)
            except NameNotFound as exc:
                raise httpx.ConnectError(str(exc)) from None
        async with limits.slot(host):
            reply = await client.reply(current, jar)
            try:
                headers = reply.headers
                if "set-cookie" in headers:
                    jar = jar or httpx.Cookies()
                    request = httpx.Request("GET", current)
                    response = httpx.Response(reply.status, headers=reply.raw, request=request)
                    jar.extract_cookies(response)
                    _drop_unsendable(jar)
                location = headers.get("location")
                evidence.chain.append(Hop(current_text, reply.status, location, reply.peer))
                if location and reply.status in _REDIRECTS:
                    nxt = _next_hop(current, location)
                    wall = walls(str(nxt)) if walls is not None else None
                    if wall is not None and wall.cookies and not answered:
                        answered = True
                        jar = jar or httpx.Cookies()
                        _answer(jar, wall, host)
                        continue  # the same URL again, now with the consent cookies
                    if wall is not None:
                        return _fetched(evidence, nxt, str(nxt), reply, b"", False, wall)
                    if seen is None:  # the same request twice is a loop
                        seen = {(str(start), _NO_COOKIE_STATE)}
                    step = (str(nxt), _cookie_state(jar))
                    if step in seen:
                        raise RedirectProblem(f"redirect loop back to {nxt}")
                    seen.add(step)
                    current, current_text = nxt, step[0]
                    continue
                body, truncated = await reply.read(max_body)
            finally:
                await reply.aclose()
        return _fetched(evidence, current, current_text, reply, body, truncated)
    raise RedirectProblem(f"more than {max_redirects} redirects")


_REDIRECTS = frozenset((301, 302, 303, 307, 308))  # httpx's ``Response.is_redirect``
_KEPT = frozenset(HEADERS_KEPT)


def _fetched(
    evidence: Evidence,
    url: httpx.URL,
    text: str,
    reply: Reply,
    body: bytes,
    truncated: bool,
    wall: Wall | None = None,
) -> Fetched:
    evidence.headers = {k: v for k, v in reply.headers.items() if k in _KEPT}
    evidence.body_sha256 = hashlib.sha256(body).hexdigest()
    evidence.body_bytes = len(body)
    evidence.body_truncated = truncated
    return Fetched(text, url_host(url), reply.status, reply.headers, body, truncated, wall)


def url_host(url: httpx.URL) -> str:
    """The host as the rules read it from ``str(url)`` (``rules._host``), without parsing
    the string again: lower case, IDNA-encoded, IPv6 without brackets, no trailing dot."""
    return url.raw_host.decode("ascii").rstrip(".").lower()


def _answer(jar: httpx.Cookies, wall: Wall, host: str) -> None:
    """Set a consent wall's cookies where the host that was sent to the wall will see them:
    the wall's domain (``.youtube.com``) when the host is in it, else the host itself."""
    domain = wall.domain if f".{host}".endswith(f".{wall.domain.lstrip('.')}") else host
    for name, value in wall.cookies:
        jar.set(name, value, domain=domain, path="/")
