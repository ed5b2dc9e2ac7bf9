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
from typing import TYPE_CHECKING, Any

import httpx

from takedown.checker.guard import Refused, vet_scheme
from takedown.checker.limits import HostLimits
from takedown.checker.model import HEADERS_KEPT, Evidence, Hop
from takedown.checker.transport import GuardedBackend, NameNotFound

if TYPE_CHECKING:
    from takedown.checker.rules import Wall


class _NoCookies(httpx.Cookies):
    """A jar that keeps nothing: cookies are kept per fetch, see the module's docstring."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class CheckerClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` without a client-wide cookie jar, and a cheap way to make a GET.

    ``get_request(url)`` is ``build_request("GET", url)`` without the merging a checker never
    needs (no base URL, no params, no client cookies): about a tenth of its CPU. The client's
    headers and timeouts are read once, so set them when making the client. ``send_one``
    sends a request through the transport and nothing more: ``fetch`` follows redirects
    itself, hop by hop, and httpx's own handling would parse every ``Location`` to build a
    next request nobody sends, raising out of the check on a hostile one.
    """

    def __init__(self, *, transport: httpx.AsyncBaseTransport, **kwargs: Any) -> None:
        super().__init__(transport=transport, **kwargs)
        self._send_transport = transport
        self._origin_headers: dict[bytes, httpx.Headers] = {}
        self._timeouts = self.timeout.as_dict()

    async def send_one(self, request: httpx.Request) -> httpx.Response:
        """The response head to ``request``; read its body with ``aiter_raw``, then close it."""
        response = await self._send_transport.handle_async_request(request)
        response.request = request
        return response

    def get_request(self, url: httpx.URL) -> httpx.Request:
        headers = self._origin_headers.get(url.netloc)
        if headers is None:
            headers = httpx.Headers([(b"Host", url.netloc), *self.headers.raw])
            if len(self._origin_headers) < 10_000:
                self._origin_headers[url.netloc] = headers
        # a GET has no body, so no framing headers: the stream is only there to say so
        return httpx.Request(
            "GET", url, headers=headers, stream=_NO_BODY, extensions={"timeout": self._timeouts}
        )

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
    status: int
    headers: httpx.Headers
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


# one label of a host name as the resolver gets it (IDNA already applied): letters, digits,
# hyphen and underscore (both seen in real names), 1 to 63 of them
_LABEL = re.compile(rb"[A-Za-z0-9_-]{1,63}")


def vet_host(url: httpx.URL) -> None:
    """Refuse a URL whose host no resolver should be asked about (``a..b``, ``a%20b``, a label
    over 63 characters): it could only fail there, or fail in a way nobody foresaw."""
    host = url.raw_host
    if not host:
        raise Refused("URL has no host")
    if b":" in host:
        return  # an IPv6 literal, which httpx has parsed already
    name = host[:-1] if host.endswith(b".") else host
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(b".")):
        raise Refused(f"host {url.host!r} is not a valid host name")


def parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
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
            request = client.get_request(current)
            if jar is not None:
                jar.set_cookie_header(request)
            response = await client.send_one(request)
            try:
                if "set-cookie" in response.headers:
                    jar = jar or httpx.Cookies()
                    jar.extract_cookies(response)
                    _drop_unsendable(jar)
                location = response.headers.get("location")
                evidence.chain.append(
                    Hop(current_text, response.status_code, location, _peer(response))
                )
                if response.is_redirect and location:
                    nxt = _next_hop(current, location)
                    wall = walls(str(nxt)) if walls is not None else None
                    if wall is not None and wall.cookies and not answered:
                        answered = True
                        jar = jar or httpx.Cookies()
                        _answer(jar, wall, host)
                        continue  # the same URL again, now with the consent cookies
                    if wall is not None:
                        return _fetched(evidence, str(nxt), response, b"", False, wall)
                    if seen is None:  # the same request twice is a loop
                        seen = {(str(start), _NO_COOKIE_STATE)}
                    step = (str(nxt), _cookie_state(jar))
                    if step in seen:
                        raise RedirectProblem(f"redirect loop back to {nxt}")
                    seen.add(step)
                    current, current_text = nxt, step[0]
                    continue
                body, truncated = await _read_capped(response, max_body)
            finally:
                await response.aclose()
        return _fetched(evidence, current_text, response, body, truncated)
    raise RedirectProblem(f"more than {max_redirects} redirects")


def _fetched(
    evidence: Evidence,
    url: str,
    response: httpx.Response,
    body: bytes,
    truncated: bool,
    wall: Wall | None = None,
) -> Fetched:
    evidence.headers = {k: v for k, v in response.headers.items() if k in HEADERS_KEPT}
    evidence.body_sha256 = hashlib.sha256(body).hexdigest()
    evidence.body_bytes = len(body)
    evidence.body_truncated = truncated
    return Fetched(url, response.status_code, response.headers, body, truncated, wall)


def _answer(jar: httpx.Cookies, wall: Wall, host: str) -> None:
    """Set a consent wall's cookies where the host that was sent to the wall will see them:
    the wall's domain (``.youtube.com``) when the host is in it, else the host itself."""
    domain = wall.domain if f".{host}".endswith(f".{wall.domain.lstrip('.')}") else host
    for name, value in wall.cookies:
        jar.set(name, value, domain=domain, path="/")
