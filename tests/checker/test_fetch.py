"""One fetch's shortcuts give what httpx gives: URLs parsed, hosts read, requests sent.

``parse_url`` skips httpx's parser for URLs in the plainest form, the checker sends its GETs
on the fast transport without making httpx requests and responses, and the host the rules
read comes from the parsed URL. Each is held equal to the long way here.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from takedown.checker import Guard, StubResolver
from takedown.checker import fetch as fetch_module
from takedown.checker.fetch import CheckerClient, parse_url, url_host
from takedown.checker.guard import Refused
from takedown.checker.http1 import FastTransport
from takedown.checker.rules import _host
from takedown.checker.transport import ConnectTo, GuardedBackend

from .helpers import HangUpServer

LABEL = st.text(alphabet="abcxyzABC019_-%.", min_size=0, max_size=8)
PIECE = st.text(alphabet="aZ09-._~!$&'()*+,;=:@/%?#[] \"<>`{}\\|^\t\né€", max_size=12)
PLAIN_LABEL = st.text(alphabet="abz019_-", min_size=1, max_size=6)
PLAIN_PIECE = st.text(alphabet="aZ09-._~!$&'()*+,;=:@/?", max_size=10)


@st.composite
def plain_urls(draw: st.DrawFn) -> str:
    """URLs of the plain form, or nearly: dot segments, four-number hosts, empty paths."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = ".".join(draw(st.lists(PLAIN_LABEL, min_size=1, max_size=4)))
    path = draw(
        st.one_of(st.just(""), st.lists(PLAIN_PIECE, max_size=4).map(lambda p: "/" + "/".join(p)))
    )
    query = draw(st.one_of(st.none(), PLAIN_PIECE))
    return f"{scheme}://{host}{path}" + (f"?{query}" if query is not None else "")


@st.composite
def any_urls(draw: st.DrawFn) -> str:
    """URLs in and around the plain form: other schemes and cases, ports, users, escapes,
    dot segments, addresses, fragments, spaces and controls, IDN hosts."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "ftp", "http", "https"]))
    host = draw(
        st.one_of(
            st.lists(LABEL, min_size=1, max_size=4).map(".".join),
            st.sampled_from(
                ["t.me", "www.youtube.com", "1.2.3.4", "1.2.3", "[::1]", "bücher.example"]
            ),
        )
    )
    port = draw(st.sampled_from(["", "", ":80", ":443", ":8080", ":"]))
    user = draw(st.sampled_from(["", "", "user@", "u:p@"]))
    path = draw(
        st.one_of(st.just(""), st.lists(PIECE, max_size=4).map(lambda p: "/" + "/".join(p)))
    )
    query = draw(st.one_of(st.none(), PIECE))
    return f"{scheme}://{user}{host}{port}{path}" + (f"?{query}" if query is not None else "")


urls = st.one_of(plain_urls(), any_urls())


def _slow(url: str) -> httpx.URL | str:
    try:
        return httpx.URL(url)
    except Exception as exc:
        return f"refused: {exc}"


@given(urls)
@example("http://t.me/chan_hu66go90/821427")
@example("http://www.youtube.com/watch?v=Xifkl-rssZT&t=1")
@example("http://a.example/./b")
@example("http://a.example/b/..")
@example("http://127.0.0.1/")
@example("https://x.com?")
def test_a_plain_url_parses_to_what_httpx_parses_it_to(url: str) -> None:
    fast = fetch_module._plain_url(url)
    if fast is None:
        return  # httpx parses it
    slow = _slow(url)
    assert isinstance(slow, httpx.URL)
    assert fast._uri_reference == slow._uri_reference
    assert (str(fast), fast.raw_path, fast.host, fast.port, fast.netloc) == (
        str(slow),
        slow.raw_path,
        slow.host,
        slow.port,
        slow.netloc,
    )


@given(urls)
def test_parse_url_refuses_and_accepts_what_it_did_without_the_shortcut(url: str) -> None:
    def parse(fast: bool) -> str:
        fetch_module._FAST = fast
        try:
            return f"ok {parse_url(url)!s}"
        except Refused as exc:
            return f"refused {exc}"
        finally:
            fetch_module._FAST = True

    assert parse(True) == parse(False)


def test_the_shortcut_is_taken_for_the_urls_platforms_use() -> None:
    assert fetch_module._FAST
    for url in ("http://t.me/chan/7", "https://www.youtube.com/watch?v=a-b_c", "http://x.com/"):
        assert fetch_module._plain_url(url) is not None


@given(urls)
def test_the_host_the_rules_read_is_the_parsed_urls(url: str) -> None:
    parsed = _slow(url)
    if isinstance(parsed, httpx.URL) and parsed.host:
        assert url_host(parsed) == _host(str(parsed))


def test_a_get_on_the_fast_transport_sends_what_the_httpx_request_sends() -> None:
    """The same bytes on the wire, cookies included, and the same answer read back."""
    heads: list[bytes] = []
    page = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Two: a\r\nx-two: b\r\n\r\nhello"

    async def scenario() -> list[tuple[int, dict[str, str], str | None, bytes, bool]]:
        async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            heads.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(page)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(record, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        backend = GuardedBackend(
            Guard.from_cidrs(["127.0.0.1/32"]),
            StubResolver({}),
            (ConnectTo.parse(f"::127.0.0.1:{port}"),),
        )
        jar = httpx.Cookies()
        jar.set("consent", "yes", domain="platform.example", path="/")
        answers = []
        for lean in (True, False):
            client = CheckerClient(
                transport=FastTransport(backend, per_host=2),
                headers={"user-agent": "takedown-test", "accept": "text/html"},
            )
            if not lean:
                client._fast = None  # the httpx request and response, as any transport gets
            reply = await client.reply(httpx.URL("http://platform.example/a?b=c"), jar)
            body, cut = await reply.read(3)
            await reply.aclose()
            await client.aclose()
            answers.append((reply.status, reply.headers, reply.peer, body, cut))
        server.close()
        await server.wait_closed()
        return answers

    lean, slow = asyncio.run(scenario())
    assert heads[0] == heads[1]
    assert heads[0].startswith(b"GET /a?b=c HTTP/1.1\r\nHost: platform.example\r\n")
    assert b"\r\nCookie: consent=yes\r\n" in heads[0]
    assert lean == slow
    assert lean[1]["x-two"] == "a, b" and lean[3:] == (b"hel", True)


@pytest.mark.parametrize("agent", ["bad\r\nX-Injected: 1", "bad\nagent", "bad\ragent"])
def test_a_header_with_a_line_break_is_refused_not_sent(agent: str) -> None:
    async def scenario() -> str:
        async with HangUpServer(lambda target: b"HTTP/1.1 200 OK\r\n\r\n") as server:
            backend = GuardedBackend(
                Guard.from_cidrs(["127.0.0.1/32"]),
                StubResolver({}),
                (ConnectTo.parse(f"::127.0.0.1:{server.port}"),),
            )
            client = CheckerClient(
                transport=FastTransport(backend, per_host=1), headers={"user-agent": agent}
            )
            try:
                await client.reply(httpx.URL("http://platform.example/"))
            except httpx.LocalProtocolError as exc:
                return str(exc)
            finally:
                await client.aclose()
            return "sent"

    assert asyncio.run(scenario()) == "CR or LF inside a request header"
