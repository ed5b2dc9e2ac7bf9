"""One URL's trouble stays with that URL: a batch always finishes with one result per URL.

A hostile ``Location``, a name no resolver can take, an egress proxy that fails for one host,
a resolver that breaks: each becomes that URL's ``unknown`` or ``unreachable`` verdict with
the reason, and ``check_many`` goes on with the others. Then random bytes in every response
header the checker reads, from a real server on 127.0.0.1, over both transports (the fast one,
and httpcore's behind a proxy). No packet leaves loopback: names go to a stub resolver.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from takedown.checker import Checker, CheckerSettings, CheckResult, RuleBook, StubResolver, Verdict
from takedown.checker.transport import NameNotFound, Resolver, SystemResolver

from .helpers import FAST, HangUpServer

PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"
NAMES = StubResolver({"fine.example": ["93.184.216.34"], "broken.example": ["93.184.216.35"]})


def _redirect(location: bytes) -> bytes:
    return b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"


def _path(target: str) -> str:
    """The path of a request target, whether a path or an absolute URL (through a proxy)."""
    if "://" in target:
        rest = target.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return target


def _run_batch(
    script: dict[str, bytes | None],
    urls: list[str],
    *,
    proxy: bool = False,
    resolver: Resolver = NAMES,
    base: CheckerSettings = FAST,
) -> list[CheckResult]:
    """Check ``urls`` against a server answering ``script[path]`` (or PAGE): directly, every
    host sent there by a connect-to rule, or through it as the egress proxy."""

    async def scenario() -> list[CheckResult]:
        async with HangUpServer(lambda target: script.get(_path(target), PAGE)) as server:
            if proxy:
                settings = replace(base, proxy=f"http://127.0.0.1:{server.port}")
            else:
                settings = replace(base, connect_to=(f"::127.0.0.1:{server.port}",))
            async with Checker(settings, resolver=resolver) as checker:
                return await checker.check_many(urls)

    return asyncio.run(scenario())


@pytest.mark.parametrize("proxy", [False, True], ids=["direct", "proxy"])
def test_a_poisoned_redirect_is_that_urls_verdict_and_the_batch_finishes(proxy: bool) -> None:
    script: dict[str, bytes | None] = {
        "/dots": _redirect(b"http://a..b/"),
        "/backslashes": _redirect(b"http:\\\\host\\x"),
        "/port": _redirect(b"http://[::1"),
        "/space": _redirect(b"http://a b/"),
        "/long": _redirect(b"http://" + b"a" * 64 + b".example/"),
        # a cookie that cannot go back in a header is forgotten, and the hop is followed
        "/cookie": _redirect(b"/\r\nSet-Cookie: c=\x80\r\nSet-Cookie: \xff=1"),
    }
    urls = [f"http://fine.example{path}" for path in script] + ["http://fine.example/"]
    results = _run_batch(script, urls, proxy=proxy)
    assert [r.url for r in results] == urls
    by_path = {r.url.removeprefix("http://fine.example"): r for r in results}
    for path in ("/dots", "/space", "/long"):
        assert by_path[path].verdict is Verdict.UNKNOWN
        assert "is not a valid host name" in by_path[path].reason, by_path[path].reason
    assert by_path["/port"].verdict is Verdict.UNKNOWN
    assert "redirect to an invalid URL" in by_path["/port"].reason
    # a backslash Location is a path on the same host (as httpx joins it), followed safely
    assert by_path["/backslashes"].verdict is Verdict.ONLINE
    assert by_path["/cookie"].verdict is Verdict.ONLINE
    assert [hop.status for hop in by_path["/cookie"].evidence.chain] == [302, 200]
    assert by_path["/"].verdict is Verdict.ONLINE
    assert not [r.reason for r in results if r.reason.startswith("checker error")]


def test_through_a_proxy_one_failing_or_unresolvable_host_is_that_urls_verdict() -> None:
    """The egress proxy hangs up on broken.example; nowhere.example has no address at all."""

    def proxy(target: str) -> bytes | None:
        return None if target.startswith("http://broken.example") else PAGE

    async def scenario() -> tuple[list[CheckResult], list[str]]:
        async with HangUpServer(proxy) as server:
            settings = replace(FAST, proxy=f"http://127.0.0.1:{server.port}", retries=1)
            async with Checker(settings, resolver=NAMES) as checker:
                urls = [
                    "http://fine.example/a",
                    "http://broken.example/b",
                    "http://nowhere.example/c",
                    "http://fine.example/d",
                ]
                return await checker.check_many(urls), server.targets

    results, targets = asyncio.run(scenario())
    verdicts = {r.url.split("/")[2] + r.url[-2:]: (r.verdict, r.reason) for r in results}
    assert verdicts["fine.example/a"][0] is Verdict.ONLINE
    assert verdicts["fine.example/d"][0] is Verdict.ONLINE
    assert verdicts["broken.example/b"][0] is Verdict.UNREACHABLE
    assert verdicts["nowhere.example/c"] == (
        Verdict.UNREACHABLE,
        "connection failed: cannot resolve 'nowhere.example': no such name",
    )
    assert not any("nowhere.example" in t for t in targets)  # never asked of the proxy


def test_a_failure_nobody_foresaw_is_that_urls_unknown_verdict() -> None:
    class Breaking:
        async def resolve(self, host: str, port: int) -> list[str]:
            if host == "breaks.example":
                raise RuntimeError("resolver bug")
            return await NAMES.resolve(host, port)

    script: dict[str, bytes | None] = {"/hop": _redirect(b"http://breaks.example/")}
    urls = ["http://fine.example/hop", "http://fine.example/"]
    # through the proxy: a connect-to rule would route the hop past the resolver
    results = _run_batch(script, urls, proxy=True, resolver=Breaking())
    assert [r.url for r in results] == urls
    assert results[0].verdict is Verdict.UNKNOWN
    assert results[0].reason == "checker error: RuntimeError: resolver bug"
    assert results[1].verdict is Verdict.ONLINE


def test_the_system_resolver_turns_a_name_idna_refuses_into_name_not_found() -> None:
    """``a..b`` fails in the IDNA codec, before any lookup: no packet is sent."""

    async def scenario() -> None:
        with pytest.raises(NameNotFound, match=r"cannot resolve 'a\.\.b'"):
            await SystemResolver().resolve("a..b", 80)

    asyncio.run(scenario())


# -- fuzz: random bytes in every header the checker reads -------------------------------------

HEADERS = (
    b"Location",
    b"Content-Type",
    b"Content-Length",
    b"Transfer-Encoding",
    b"Set-Cookie",
    b"Retry-After",
    b"Content-Encoding",
    b"Connection",
)
POISON = (
    b"http://a..b/",
    b"http:\\\\host\\x",
    b"http://[::1",
    b"//[",
    b"http://a b/",
    b"http://" + b"a" * 300 + b"/",
    b"http://2130706433/",
    b"ftp://files.example/",
    b"javascript:alert(1)",
    b"/0",
    b"\xb3",
    b"\xff\xfe\x00",
    b"text/html; charset=idna",
    b"text/html; charset=base64",
    b"text/html; charset=\xff",
    b"-1",
    b"18446744073709551616",
    b"chunked",
    b"gzip, chunked",
    b"identity, chunked, gzip",
    b"c=\x80",
    b"\xff=1; Path=/",
    b"c=1; Expires=\xff; Domain=..; Path=\x00",
    b"c=1; Max-Age=-99999999999999999999; Domain=.example",
    b"Mon, 99 Foo 0000 99:99:99 GMT",
    b"Fri, 31 Dec 9999 23:59:59 -1400",
    b"close",
    b"keep-alive, Upgrade",
    b"",
)
# mostly the statuses whose headers the checker reads most (Location, Retry-After)
STATUSES = (301, 302, 303, 307, 308, 429, 503) * 3 + (
    0,
    100,
    101,
    103,
    200,
    204,
    304,
    404,
    451,
    999,
)
LINE = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
POISONED = st.sampled_from(POISON)
VALUE = st.one_of(POISONED, POISONED, LINE, st.binary(max_size=20))
# a Location is most often absolute: a host of random bytes, or one of the poisoned ones
LOCATION = st.one_of(POISONED, POISONED, LINE.map(lambda b: b"http://" + b + b"/"), VALUE)
STATUS_LINE = st.one_of(
    st.sampled_from(STATUSES).map(lambda code: b"HTTP/1.1 %d Fuzz" % code),
    st.sampled_from(STATUSES).map(lambda code: b"HTTP/1.1 %d Fuzz" % code),
    st.integers(0, 999).map(lambda code: b"HTTP/1.1 %d " % code),
    st.binary(max_size=30),
)


def _answer(status: bytes, fuzzed: dict[bytes, bytes], body: bytes) -> bytes:
    """An answer whose named headers carry fuzz; the rest of it is sane, so that each fuzzed
    value gets as far as the code that reads it (a Content-Length that fits the body, unless
    the framing itself is fuzzed)."""
    fields = dict(fuzzed)
    if b"Content-Length" not in fields and b"Transfer-Encoding" not in fields:
        fields[b"Content-Length"] = b"%d" % len(body)
    head = b"".join(name + b": " + value + b"\r\n" for name, value in fields.items())
    return status + b"\r\n" + head + b"\r\n" + body


def _values(names: list[bytes]) -> st.SearchStrategy[dict[bytes, bytes]]:
    return st.fixed_dictionaries({n: LOCATION if n == b"Location" else VALUE for n in names})


# a status line, one to three of the headers fuzzed, and a body
ANSWER = st.builds(
    _answer,
    STATUS_LINE,
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=3, unique=True).flatmap(_values),
    st.binary(max_size=64),
)
FUZZ = replace(
    FAST,
    connect_timeout=0.5,
    read_timeout=0.5,
    check_timeout=2.0,
    retries=1,
    backoff_base=0.001,
    backoff_max=0.002,
    max_retry_after=0.05,
)


def _fuzz(answers: list[bytes], proxy: bool) -> None:
    script: dict[str, bytes | None] = {f"/{i}": raw for i, raw in enumerate(answers)}
    urls = [f"http://fine.example/{i}" for i in range(len(answers))] + ["http://fine.example/"]
    results = _run_batch(script, urls, proxy=proxy, base=FUZZ)
    assert [r.url for r in results] == urls
    for result in results:
        assert isinstance(result.verdict, Verdict) and result.reason
        assert not result.reason.startswith("checker error"), result.reason
    assert results[-1].verdict is Verdict.ONLINE  # the sane URL beside them


FUZZ_SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ_SETTINGS
@given(st.lists(ANSWER, min_size=1, max_size=3))
def test_random_header_bytes_never_break_a_batch(answers: list[bytes]) -> None:
    _fuzz(answers, proxy=False)


@FUZZ_SETTINGS
@given(st.lists(ANSWER, min_size=1, max_size=3))
def test_random_header_bytes_never_break_a_batch_through_a_proxy(answers: list[bytes]) -> None:
    _fuzz(answers, proxy=True)


def test_pages_decided_together_each_get_their_own_verdict_or_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answers that arrive together are read through the rules together (``_Decisions``):
    a rule that breaks on one page is that URL's ``unknown`` verdict, and every other URL,
    decided in the same turn of the event loop, keeps its own verdict."""
    decide = RuleBook.decide
    decided = 0

    def breaking(self: RuleBook, first_url: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal decided
        decided += 1
        if first_url.endswith("/broken"):
            raise RuntimeError("rule bug")
        return decide(self, first_url, *args, **kwargs)

    monkeypatch.setattr(RuleBook, "decide", breaking)
    gone = b"<html><body><h1>Not Found</h1></body></html>"
    script: dict[str, bytes | None] = {
        "/gone": b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n%s" % (len(gone), gone),
    }
    urls = [f"http://fine.example/{n}" for n in range(30)]
    urls[7] = "http://fine.example/broken"
    urls[8] = urls[20] = "http://fine.example/gone"
    results = _run_batch(script, urls, base=replace(FAST, per_host_concurrency=16))
    assert [r.url for r in results] == urls
    verdicts = [(r.verdict, r.reason) for r in results]
    assert verdicts[7] == (Verdict.UNKNOWN, "checker error: RuntimeError: rule bug")
    assert verdicts[8] == verdicts[20] == (Verdict.REMOVED, "HTTP 404 Not Found")
    others = {v for i, v in enumerate(verdicts) if i not in (7, 8, 20)}
    assert others == {(Verdict.ONLINE, "HTTP 200 with content")}
    assert decided == 30  # a confirmation that got the same answer is not decided again
