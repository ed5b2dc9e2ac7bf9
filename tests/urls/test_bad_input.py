"""Bad input gets a clear UrlError or a sensible parse; hypothesis properties hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takedown.urls import ContentRef, UrlError, parse


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("javascript:alert(1)", "javascript"),
        ("data:text/html,lorem", "data"),
        ("mailto:lorem@example.org", "mailto"),
        ("ftp://files.example.org/a", "ftp"),
        ("https://example.org/" + "a" * 9000, "8192"),
        ("https://exa\x00mple.org/", r"U\+0000"),
        ("https://example.org/\x07", r"U\+0007"),
        ("https://xn--a.example/", "punycode"),
        ("https://[::1/", "unbalanced"),
        ("https://::1]/", "unbalanced"),
        ("https://example.org:99999/", "port"),
        ("https://%ff.example/", "not UTF-8"),
        # an app's deep link is refused as one, not as a host without a dot
        (
            "viber://pa?chatURI=lorem",
            "viber:// is a deep link of an app that takedown does not read",
        ),
        ("intent://scan/#Intent;scheme=zxing;end", "intent:// is a deep link"),
        ("skype:lorem?call", "scheme 'skype' is not supported"),
        ("tg://resolve domain=lorem", "not one of the tg: links"),
    ],
)
def test_bad_input_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(UrlError, match=message):
        parse(text)


def test_broken_percent_encoding_parses_sensibly() -> None:
    ref = parse("https://example.org/a%zz%4/b%41")
    assert ref.canonical_url == "https://example.org/a%zz%4/bA"


def test_credentials_are_dropped_and_flagged_never_stored() -> None:
    ref = parse("https://lorem:s3cr3t@example.org/a")
    assert "credentials_removed" in ref.flags
    stored = (ref.key, ref.canonical_url, *ref.parents)
    assert not any("s3cr3t" in s or "lorem:" in s for s in stored)


def test_idna_is_punycode() -> None:
    assert parse("https://bücher.example/").key == "web:site:xn--bcher-kva.example"


def test_key_stays_short() -> None:
    ref = parse("https://example.org/" + "a" * 5000)
    assert len(ref.key) < 1024


def test_not_text_is_a_url_error() -> None:
    with pytest.raises(UrlError):
        parse(b"https://example.org/")  # type: ignore[arg-type]


@given(st.text(max_size=300))
@settings(max_examples=500, deadline=None)
def test_no_string_ever_raises_anything_but_url_error(text: str) -> None:
    try:
        ref = parse(text)
    except UrlError:
        return
    assert isinstance(ref, ContentRef)
    assert len(ref.key) < 1024


_PIECE = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-._~%/?=&#:@+!"), max_size=30
)


@given(
    st.sampled_from(["", "http://", "https://", "//"]),
    st.sampled_from(
        ["example.org", "t.me", "youtube.com", "x.com", "Lorem.Example.co.uk", "127.0.0.1", "[::1]"]
    ),
    _PIECE,
)
@settings(max_examples=500, deadline=None)
def test_parsing_is_idempotent(scheme: str, host: str, tail: str) -> None:
    try:
        ref = parse(f"{scheme}{host}/{tail}")
    except UrlError:
        return
    again = parse(ref.canonical_url)
    assert (again.canonical_url, again.key) == (ref.canonical_url, ref.key)


_NAME = st.from_regex(r"[a-z][a-z0-9_]{4,20}", fullmatch=True)


@given(_NAME, st.integers(1, 10**9), st.data())
@settings(max_examples=300, deadline=None)
def test_variants_of_one_post_give_one_key(name: str, post: int, data: st.DataObject) -> None:
    host = data.draw(st.sampled_from(["t.me", "telegram.me", "telegram.dog", "www.t.me", "T.ME"]))
    scheme = data.draw(st.sampled_from(["", "http://", "https://", "HTTPS://"]))
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c for c in name)
    prefix = data.draw(st.sampled_from(["", "s/"]))
    tail = data.draw(st.sampled_from(["", "/", "?utm_source=x", "#frag", "?single&fbclid=1"]))
    ref = parse(f"{scheme}{host}/{prefix}{spelled}/{post}{tail}")
    assert ref.key == f"telegram:post:{name}/{post}"


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_different_ids_give_different_keys(a: int, b: int) -> None:
    if a != b:
        assert (
            parse(f"https://t.me/lorem_news/{a}").key != parse(f"https://t.me/lorem_news/{b}").key
        )
        assert (
            parse(f"https://x.com/lorem/status/{a}").key
            != parse(f"https://x.com/lorem/status/{b}").key
        )


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example")',
        "=cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1)",
        "foo",
        "localhost",
        '"https://t.me/foo',
    ],
)
def test_spreadsheet_cells_and_single_words_are_not_urls(text: str) -> None:
    with pytest.raises(UrlError, match="host"):
        parse(text)
