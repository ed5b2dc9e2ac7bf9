"""The fast transport: HTTP/1.1 over asyncio, keep-alive pools, httptools' C parser.

``FastTransport`` sits beneath ``httpx.AsyncClient`` in place of httpcore, which spends most
of a check's CPU scanning its pool and wrapping sockets. The checker's own GETs skip httpx
too (``FastTransport.get``: a header block made once per origin, an ``Answer`` instead of
an ``httpx.Response``); ``handle_async_request`` serves every other caller, on the same
pools. It keeps every safety property of ``transport.HostPools``:

* every connection is opened by ``GuardedBackend.vetted``: ``--connect-to`` applied, the name
  resolved through the ``Resolver``, every address vetted by the guard, and the socket
  connected to the vetted address itself (no second DNS answer can sneak in). Redirect hops
  are separate requests, so each hop is vetted the same way;
* https is TLS through asyncio, with SNI and certificate checks against the URL's host (not
  the ``--connect-to`` address), as curl does;
* timeouts: connect, and read (each wait for the next bytes), as httpx names them; read
  timeouts are watched by ``Deadlines`` (one timer for all, up to 0.1 s late). A request
  is one small write that the event loop buffers, so it has no write timeout of its own;
* the body is never read ahead beyond a small buffer: reading pauses above ``HIGH_WATER``,
  and a response closed before its end closes its connection instead of draining it, so a
  20 MB page costs only the bytes the caller asked for. Response headers are capped too;
* a malformed response is an ``httpx.RemoteProtocolError``, which the checker reports as
  ``unreachable``, never as a verdict about the page.

It sends what the checker sends: GETs, and bodies with a Content-Length (no chunked request
bodies, no HEAD). It does not speak to proxies: with a proxy configured the checker uses
``HostPools`` (httpcore) instead, which vets each hop before the proxy is asked for it.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import typing
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import httptools
import httpx

from takedown.checker.deadlines import Deadlines
from takedown.checker.guard import Refused
from takedown.checker.limits import Places
from takedown.checker.transport import GUARD_PREFIX, GuardedBackend, NameNotFound

HIGH_WATER = 256 * 1024  # body bytes buffered before reading pauses
LOW_WATER = 64 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 200
KEEPALIVE_EXPIRY = 30.0

Origin = tuple[str, str, int]


class Connection(asyncio.Protocol):
    """One keep-alive connection; at most one request on it at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deadlines: Deadlines) -> None:
        self.loop = loop
        self.deadlines = deadlines
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.server_addr: tuple[str, int] | None = None
        self.peer: str | None = None  # server_addr as evidence writes it, "ADDR:PORT"
        self.lost: asyncio.Future[None] = loop.create_future()
        self.closed = False
        self.idle_since = 0.0
        self.used = 0
        self._reset()

    def _reset(self) -> None:
        self.active = False
        self.got_bytes = False
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.header_bytes = 0
        self.headers_done = False
        self.informational = False
        self.until_eof = False
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.complete = False
        self.keep_alive = False
        self.error: Exception | None = None
        self.paused = False
        self.waiter: asyncio.Future[None] | None = None

    # -- what the stream and the transport ask -------------------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Like httpcore's network stream: ``server_addr`` is the address connected to."""
        if name == "server_addr":
            return self.server_addr
        return self.transport.get_extra_info(name, default) if self.transport else default

    def reusable(self, now: float) -> bool:
        return (
            not self.closed
            and not self.active
            and now - self.idle_since < KEEPALIVE_EXPIRY
            and self.transport is not None
            and not self.transport.is_closing()
        )

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error
        self._wake()

    async def send(self, data: bytes, read_timeout: float | None) -> None:
        """Write a request and wait for its response head (status and headers)."""
        assert self.transport is not None
        self._reset()
        self.active = True
        self.used += 1
        self.transport.write(data)
        while not self.headers_done:
            if self.error is not None:
                raise self.error
            await self._wait(read_timeout)

    async def _wait(self, read_timeout: float | None) -> None:
        """Until the protocol has news (bytes, the end, an error) or ``read_timeout`` passes."""
        self.waiter = fut = self.loop.create_future()
        if read_timeout is not None:
            self.deadlines.watch(self, read_timeout, self._read_timed_out)
        try:
            await fut
        finally:
            self.waiter = None
            if read_timeout is not None:
                self.deadlines.forget(self)

    def _read_timed_out(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(httpx.ReadTimeout("read timed out"))

    async def next_chunk(self, read_timeout: float | None) -> bytes | None:
        """The next piece of the body, or None at its end."""
        while True:
            if self.chunks:
                chunk = self.chunks.popleft()
                self.buffered -= len(chunk)
                if self.paused and self.buffered < LOW_WATER and self.transport is not None:
                    self.paused = False
                    self.transport.resume_reading()
                return chunk
            if self.complete:
                return None
            if self.error is not None:
                raise self.error
            await self._wait(read_timeout)

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        peer = transport.get_extra_info("peername")
        if peer:
            self.server_addr = addr = (str(peer[0]), int(peer[1]))
            self.peer = f"{addr[0]}:{addr[1]}"

    def data_received(self, data: bytes) -> None:
        if not self.active or self.complete:
            # bytes nobody asked for: the connection can no longer be trusted
            self.abort()
            return
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx.RemoteProtocolError("unexpected protocol upgrade"))
            self.abort()
        except httptools.HttpParserError as exc:
            cause = exc.__context__ if isinstance(exc.__context__, httpx.HTTPError) else exc
            self._fail(httpx.RemoteProtocolError(f"malformed response: {cause}"))
            self.abort()

    def eof_received(self) -> bool | None:
        return False  # close the transport; connection_lost decides what the EOF meant

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.lost.done():
            self.lost.set_result(None)
        if not self.active or self.complete:
            return
        if self.headers_done and self.until_eof and exc is None:
            self.complete = True  # a body delimited by the end of the connection
            self._wake()
            return
        if not self.got_bytes:
            self._fail(httpx.RemoteProtocolError("server disconnected without sending a response"))
        else:
            self._fail(httpx.ReadError(f"connection lost mid-response: {exc or 'closed by peer'}"))

    # -- httptools callbacks ---------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.headers_done:
            return  # trailers: not kept
        self.header_bytes += len(name) + len(value) + 4
        if self.header_bytes > MAX_HEADER_BYTES or len(self.headers) >= MAX_HEADERS:
            raise httpx.RemoteProtocolError(
                f"response headers exceed {MAX_HEADER_BYTES} bytes or {MAX_HEADERS} fields"
            )
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            self.informational = True  # 100 Continue, 103 Early Hints: the answer follows
            self.headers = []
            self.reason = b""
            self.header_bytes = 0
            return
        self.status = status
        framed = False
        for name, value in self.headers:
            low = name.lower()
            if low == b"content-length" or (
                low == b"transfer-encoding" and b"chunked" in value.lower()
            ):
                framed = True
        self.until_eof = not framed and status not in (204, 304)
        self.headers_done = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if not self.paused and self.buffered > HIGH_WATER and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.informational:
            self.informational = False
            return
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()
        self._wake()


class _Pool:
    """The connections to one origin: at most ``limit`` at once, idle ones kept for reuse."""

    def __init__(self, limit: int) -> None:
        self.limit = Places(limit)
        self.idle: list[Connection] = []

    def take(self) -> Connection | None:
        now = time.monotonic()
        while self.idle:
            conn = self.idle.pop()
            if conn.reusable(now):
                return conn
            conn.abort()
        return None


class _Body(httpx.AsyncByteStream):
    """The response body as httpx reads it: an iterator object, not an async generator
    (each of those costs a registration with the event loop)."""

    def __init__(
        self, transport: FastTransport, pool: _Pool, conn: Connection, timeout: float | None
    ) -> None:
        self._transport = transport
        self._pool = pool
        self._conn = conn
        self._timeout = timeout
        self._closed = False

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._conn.next_chunk(self._timeout)
        except BaseException:
            self._conn.abort()
            raise
        if chunk is None:
            raise StopAsyncIteration
        return chunk

    async def read(self, cap: int) -> tuple[bytes, bool]:
        """The body up to ``cap`` bytes, and whether there was more: what reading it through
        httpx (``aiter_raw``) gives, without httpx's wrapping of every piece."""
        conn = self._conn
        chunks: list[bytes] = []
        size = 0
        try:
            while (chunk := await conn.next_chunk(self._timeout)) is not None:
                room = cap - size
                if len(chunk) > room:
                    chunks.append(chunk[:room])
                    return b"".join(chunks), True
                chunks.append(chunk)
                size += len(chunk)
        except BaseException:
            conn.abort()
            raise
        return b"".join(chunks), False

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._transport._release(self._pool, self._conn)


class Answer:
    """A response to ``FastTransport.get``: its head, then the body (``read``); ``aclose``
    gives the connection back (kept alive only when the body was read to its end)."""

    __slots__ = ("_body", "headers", "peer", "raw", "status")

    def __init__(self, conn: Connection, body: _Body) -> None:
        self.status = conn.status
        self.raw = conn.headers
        self.headers = header_dict(conn.headers)
        self.peer = conn.peer
        self._body = body

    async def read(self, cap: int) -> tuple[bytes, bool]:
        return await self._body.read(cap)

    async def aclose(self) -> None:
        await self._body.aclose()


class FastTransport(httpx.AsyncBaseTransport):
    """Per-origin keep-alive pools of ``per_host`` connections, each opened through the guard."""

    def __init__(
        self,
        backend: GuardedBackend,
        *,
        per_host: int,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.backend = backend
        self.per_host = per_host
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._pools: dict[Origin, _Pool] = {}
        self._open: set[Connection] = set()
        self._deadlines = Deadlines()

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
            if self._ssl is not self._verify:  # never change a context the caller gave
                self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl

    async def _connect(
        self, scheme: str, host: str, port: int, timeout: float | None
    ) -> Connection:
        try:
            addresses, target_port = await self.backend.vetted(host, port)
        except Refused as exc:
            raise httpx.ConnectError(GUARD_PREFIX + str(exc)) from None
        except NameNotFound as exc:
            raise httpx.ConnectError(str(exc)) from None
        loop = asyncio.get_running_loop()
        tls = self._ssl_context() if scheme == "https" else None
        last: httpx.TransportError | None = None
        for address in addresses:  # every one of them was vetted; connect to it, not the name
            conn = Connection(loop, self._deadlines)
            try:
                async with asyncio.timeout(timeout):
                    await loop.create_connection(
                        _factory(conn),
                        address,
                        target_port,
                        ssl=tls,
                        server_hostname=host.strip("[]") if tls else None,
                    )
            except TimeoutError:
                last = httpx.ConnectTimeout(f"connect to {address}:{target_port} timed out")
                continue
            except (OSError, ssl.SSLError) as exc:
                last = httpx.ConnectError(f"{address}:{target_port}: {exc}")
                continue
            self.backend.connections += 1
            self._open.add(conn)
            conn.lost.add_done_callback(self._forget(conn))
            return conn
        assert last is not None
        raise last

    def _forget(self, conn: Connection) -> Callable[[asyncio.Future[None]], None]:
        return lambda _: self._open.discard(conn)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        _scheme(url)
        if request.method in ("HEAD", "CONNECT"):  # answers whose framing the parser can't see
            raise httpx.LocalProtocolError(f"{request.method} is not supported here")
        timeouts = request.extensions.get("timeout", {})
        head, framed = _head(request)
        if framed:  # a request without Content-Length or Transfer-Encoding has no body
            head += await request.aread()
        pool, conn = await self._exchange(url, head, timeouts)
        read_timeout = timeouts.get("read")
        return httpx.Response(
            conn.status,
            headers=conn.headers,
            stream=_Body(self, pool, conn, read_timeout),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": conn.reason,
                "network_stream": conn,
            },
        )

    async def get(
        self, url: httpx.URL, fields: bytes, timeouts: Mapping[str, float | None]
    ) -> Answer:
        """GET ``url`` with the header ``fields`` (``Name: value\\r\\n`` each, ``Host``
        first, checked for stray CR and LF by the caller): the checker's own requests,
        without making an ``httpx.Request`` and ``httpx.Response`` for each."""
        _scheme(url)
        head = b"GET %s HTTP/1.1\r\n%s\r\n" % (url.raw_path, fields)
        pool, conn = await self._exchange(url, head, timeouts)
        return Answer(conn, _Body(self, pool, conn, timeouts.get("read")))

    async def _exchange(
        self, url: httpx.URL, head: bytes, timeouts: Mapping[str, float | None]
    ) -> tuple[_Pool, Connection]:
        """Send ``head`` (and body) on a pooled connection to ``url``'s origin and wait for
        the response head; the caller reads the body and gives the place back."""
        scheme = url.scheme
        host = url.host
        port = url.port or (443 if scheme == "https" else 80)
        key = (scheme, host, port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool(self.per_host)
        read_timeout = timeouts.get("read")
        await pool.limit.take()
        conn: Connection | None = None
        try:
            conn = pool.take()
            reused = conn is not None
            if conn is None:
                conn = await self._connect(scheme, host, port, timeouts.get("connect"))
            try:
                await conn.send(head, read_timeout)
            except httpx.RemoteProtocolError:
                if not reused or conn.got_bytes:
                    raise
                # a kept-alive connection the server had closed: once more on a new one
                conn.abort()
                conn = await self._connect(scheme, host, port, timeouts.get("connect"))
                await conn.send(head, read_timeout)
        except BaseException:
            if conn is not None:
                conn.abort()
            pool.limit.give()
            raise
        return pool, conn

    def _release(self, pool: _Pool, conn: Connection) -> None:
        pool.limit.give()
        if conn.complete and conn.keep_alive and not conn.closed and not conn.paused:
            conn.chunks.clear()  # all of it arrived (a redirect's few bytes): drop, keep alive
            conn.active = False
            conn.idle_since = time.monotonic()
            pool.idle.append(conn)
        else:
            conn.abort()  # closed before its end: never drain what nobody will read

    async def aclose(self) -> None:
        conns, self._open = list(self._open), set()
        self._pools = {}
        for conn in conns:
            conn.abort()
        if conns:  # let each transport finish closing its socket before the loop goes
            await asyncio.wait([c.lost for c in conns], timeout=1.0)


def header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers as ``dict(httpx.Headers(raw).items())`` gives them, read once: names
    in lower case, a name given twice joined with ", ", and all of them decoded as ASCII,
    else as UTF-8, else as ISO-8859-1 (httpx's choice for the whole set)."""
    for encoding in ("ascii", "utf-8"):
        try:
            return _merged(raw, encoding)
        except UnicodeDecodeError:
            continue
    return _merged(raw, "iso-8859-1")


def _merged(raw: list[tuple[bytes, bytes]], encoding: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in raw:
        key = name.lower().decode(encoding)
        if key in found:
            found[key] += ", " + value.decode(encoding)
        else:
            found[key] = value.decode(encoding)
    return found


def _scheme(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(f"scheme {url.scheme!r} is not supported")


def fields(headers: httpx.Headers) -> bytes:
    """Request header fields as ``get`` sends them; CR and LF inside a field are refused."""
    raw = headers.raw
    block = b"".join(b"%s: %s\r\n" % pair for pair in raw)
    if block.count(b"\n") != len(raw) or block.count(b"\r") != len(raw):
        raise httpx.LocalProtocolError("CR or LF inside a request header")
    return block


def _factory(conn: Connection) -> Callable[[], Connection]:
    return lambda: conn


def _head(request: httpx.Request) -> tuple[bytes, bool]:
    """The request line and headers, and whether a body follows; CR and LF inside a field
    are refused, not sent. Chunked request bodies are not supported."""
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    framed = False
    for name, value in request.headers.raw:
        lines.append(b"%s: %s" % (name, value))
        low = name.lower()
        if low == b"content-length":
            framed = True
        elif low == b"transfer-encoding":
            raise httpx.LocalProtocolError("chunked request bodies are not supported")
    head = b"\r\n".join(lines) + b"\r\n\r\n"
    if head.count(b"\n") != len(lines) + 1 or head.count(b"\r") != len(lines) + 1:
        raise httpx.LocalProtocolError("CR or LF inside a request header")
    return head, framed
