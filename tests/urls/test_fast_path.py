"""The fast path for plain URLs gives exactly what the general parser gives; ContentRef's value
semantics survive its being a named tuple."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takedown.urls import ContentRef, UrlError, parse
from takedown.urls.canon import Url, canonicalise_fast, canonicalise_general

_parse_module = importlib.import_module("takedown.urls.parse")

_HOSTS = [
    "t.me", "www.t.me", "lorem.t.me", "telegram.me", "T.ME", "youtube.com", "www.youtube.com",
    "youtu.be", "m.youtube.com", "x.com", "mobile.twitter.com", "www.facebook.com",
    "m.facebook.com", "l.facebook.com", "vk.com", "www.instagram.com", "www.tiktok.com",
    "bit.ly", "t.co", "web.archive.org", "archive.org", "drive.google.com", "www.google.com",
    "mega.nz", "rumble.com", "example.org", "news.lorem.example.co.uk", "Lorem.Example.org",
    "lorem.blogspot.com", "127.0.0.1", "0x7f.1", "1.2.3", "a.b", "foo.0x", "a..b", "-a-.b_",
    "xn--bcher-kva.example", "localhost",
]  # fmt: skip
_SEGMENT = st.one_of(
    st.sampled_from(["lorem", "Lorem_News", "s", "c", "42", "+AbC", "watch", "status", "posts",
                     "p", "@lorem", "web", "l.php", "story.php", ".", "..", ".well-known", "a.",
                     "a..b", "%41", "%2f", "%7e", "%zz", "", "wall-1_2", "~x", "a:b", "(x)"]),
    st.text("abcXYZ019-._~!$&'()*+,;=:@%|^[]\\ é", max_size=8),
)  # fmt: skip
_NAME = st.sampled_from(["v", "id", "u", "q", "url", "page", "utm_source", "si", "fbclid",
                         "story_fbid", "list", "t", "S", "Id", "%75tm_x", ""])  # fmt: skip
_VALUE = st.one_of(
    st.sampled_from(["aBcDeFgHi_0", "42", "https%3A%2F%2Ft.me%2Florem%2F42", "https://x.com/a",
                     "%2525", "a%2fb", "%7E", ""]),
    st.text("abcXYZ019-._~!$()*+,;:@/%?'\" é", max_size=10),
)  # fmt: skip


@st.composite
def urls(draw: st.DrawFn) -> str:
    """Mostly plain URLs on real platform hosts, with now and then something the fast path
    must refuse: escapes, dot segments, uppercase schemes, ports, credentials, fragments."""
    scheme = draw(st.sampled_from(["", "https://", "http://", "HTTPS://", "//", "https:/"]))
    userinfo = draw(st.sampled_from(["", "", "", "lorem:pw@", "@"]))
    port = draw(st.sampled_from(["", "", "", ":443", ":8080", ":"]))
    path = "".join("/" + s for s in draw(st.lists(_SEGMENT, max_size=4)))
    path += draw(st.sampled_from(["", "", "/"]))
    pairs = draw(st.lists(st.tuples(_NAME, _VALUE), max_size=3))
    query = "&".join(f"{n}={v}" for n, v in pairs)
    question = draw(st.sampled_from(["?", "?", ""])) if pairs else draw(st.sampled_from(["", "?"]))
    fragment = draw(st.sampled_from(["", "", "", "#frag", "#!/lorem/42", "#F!abc!key"]))
    host = draw(st.sampled_from(_HOSTS))
    return f"{scheme}{userinfo}{host}{port}{path}{question}{query}{fragment}"


_PLAIN_SEGMENT = st.text("abcXYZ019-_~@+:,;=!$*'().", min_size=1, max_size=10)
_PLAIN_QUERY = st.lists(
    st.tuples(_NAME, st.text("abcXYZ019-_.~/@+:,;=!$*()%", max_size=10)), max_size=3
)


@st.composite
def plain_urls(draw: st.DrawFn) -> str:
    """URLs of the shape the fast path takes (though a dot or an escape may still send some of
    them to the general parser)."""
    scheme = draw(st.sampled_from(["", "https://", "http://"]))
    path = "".join("/" + s for s in draw(st.lists(_PLAIN_SEGMENT, max_size=4)))
    path += draw(st.sampled_from(["", "/"]))
    query = "&".join(f"{n}={v}" for n, v in draw(_PLAIN_QUERY))
    host = draw(st.sampled_from(_HOSTS))
    return f"{scheme}{host}{path}{'?' if query else ''}{query}"


_ANY_URL = st.one_of(plain_urls(), urls())


def _outcome(read: object, text: str) -> object:
    try:
        return read(text)  # type: ignore[operator]
    except UrlError as exc:
        return ("error", str(exc))


@contextmanager
def _general_parser_only() -> Iterator[None]:
    saved = _parse_module.canonicalise_fast
    _parse_module.canonicalise_fast = lambda text: None
    try:
        yield
    finally:
        _parse_module.canonicalise_fast = saved


@given(_ANY_URL)
@settings(max_examples=1000, deadline=None)
def test_fast_path_reads_a_url_as_the_general_parser_does(text: str) -> None:
    fast = _outcome(canonicalise_fast, text)
    if fast is not None:
        assert fast == _outcome(canonicalise_general, text)


@given(_ANY_URL)
@settings(max_examples=500, deadline=None)
def test_parse_gives_the_same_result_with_and_without_the_fast_path(text: str) -> None:
    expected = _outcome(parse, text)
    with _general_parser_only():
        assert _outcome(parse, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://t.me/lorem_news/42",
        "t.me/s/Lorem_News/42?single",
        "https://www.youtube.com/watch?v=aBcDeFgHi_0&feature=share",
        "http://www.lorem.org/index.php?page=3&lang=ar",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Ft.me%2Florem%2F42&h=AT0",
    ],
)
def test_common_shapes_take_the_fast_path(text: str) -> None:
    url = canonicalise_fast(text)
    assert isinstance(url, Url)
    assert url == canonicalise_general(text)


@pytest.mark.parametrize(
    "text",
    [
        "HTTPS://t.me/lorem",
        "https://lorem:pw@t.me/lorem",
        "https://t.me:443/lorem",
        "https://t.me/a/../lorem",
        "https://t.me/lorem#frag",
        "https://t.me/l%6Frem",
        "https://t.me//lorem",
        "https://xn--bcher-kva.example/",
        "https://t.me/lorem?q=a b",
    ],
)
def test_other_shapes_go_to_the_general_parser(text: str) -> None:
    assert canonicalise_fast(text) is None


def test_content_ref_is_an_immutable_hashable_value() -> None:
    a = parse("https://t.me/lorem_news/42")
    b = parse("https://telegram.me/lorem_news/42")
    same = parse("https://t.me/lorem_news/42")
    assert a == same and hash(a) == hash(same)
    assert not a != same  # noqa: SIM202 - __ne__ is defined too
    assert a != b and {a: 1}[same] == 1
    with pytest.raises(AttributeError):
        a.key = "telegram:post:other/1"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.extra = 1  # type: ignore[attr-defined]


def test_content_ref_equals_only_content_refs() -> None:
    ref = parse("https://t.me/lorem_news/42")
    as_tuple = tuple(ref)
    assert ref != as_tuple and as_tuple != ref
    assert not ref == as_tuple and not as_tuple == ref  # noqa: SIM201
    assert isinstance(ref, ContentRef)
    assert ref.as_dict()["key"] == "telegram:post:lorem_news/42"
