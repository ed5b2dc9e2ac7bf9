"""Properties that hold for every URL shape of the case tables and for any text at all:

- parsing is idempotent on the canonical URL (same key, same canonical URL);
- keys never contain secrets or tracking parameters, and tracking parameters change no key;
- a redirect wrapper around a URL gives the URL's own key;
- no input raises anything but UrlError.
"""

from __future__ import annotations

import base64
import importlib.util
from pathlib import Path
from urllib.parse import quote

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from takedown.urls import ContentRef, UrlError, parse
from takedown.urls.canon import is_tracking

CASES = Path(__file__).resolve().parent / "cases"


def _rows() -> list[str]:
    urls = []
    for path in sorted(CASES.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"url_props_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        urls += [row[0] for row in module.CASES]
    return urls


SHAPES = _rows()
TRACKING = [
    "utm_source=lorem",
    "utm_medium=ipsum",
    "fbclid=AbC123",
    "gclid=Xyz",
    "si=AbCdEf",
    "igsh=AbC",
    "mibextid=Lorem",
]


def _with_query(url: str, extra: str) -> str:
    """``url`` with ``extra`` added to its query, before any fragment."""
    head, hashmark, fragment = url.partition("#")
    if head.startswith("tg:"):
        return url
    joiner = "&" if "?" in head else ("?" if "/" in head.split("//", 1)[-1] else "/?")
    return f"{head}{joiner}{extra}{hashmark}{fragment}"


def _parse(text: str) -> ContentRef | None:
    try:
        return parse(text)
    except UrlError:
        return None


@given(st.sampled_from(SHAPES))
@settings(max_examples=300, deadline=None)
def test_parsing_the_canonical_url_again_changes_nothing(url: str) -> None:
    ref = parse(url)
    again = parse(ref.canonical_url)
    assert (again.key, again.canonical_url, again.platform, again.kind) == (
        ref.key,
        ref.canonical_url,
        ref.platform,
        ref.kind,
    )


@given(st.sampled_from(SHAPES), st.lists(st.sampled_from(TRACKING), min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_tracking_parameters_change_no_key(url: str, tracking: list[str]) -> None:
    ref = parse(url)
    tracked = parse(_with_query(url, "&".join(tracking)))
    assert tracked.key == ref.key
    for part in (tracked.key, tracked.canonical_url, *tracked.parents):
        query = part.partition("?")[2]
        names = {pair.partition("=")[0].lower() for pair in query.split("&") if pair}
        assert not any(is_tracking(name) for name in names), part


_WRAPPERS = [
    lambda u: "https://www.google.com/url?q=" + quote(u, safe=""),
    lambda u: (
        "https://eur01.safelinks.protection.outlook.com/?url=" + quote(u, safe="") + "&reserved=0"
    ),
    lambda u: (
        "https://urldefense.proofpoint.com/v2/url?u="
        + quote(u, safe="")
        .replace("-", "-2D")
        .replace("_", "-5F")
        .replace("%", "-")
        .replace("-2F", "_")
        + "&d=DwMFaQ&e="
    ),
    lambda u: "https://l.facebook.com/l.php?u=" + quote(u, safe="") + "&h=AT0",
]


@given(st.sampled_from(SHAPES), st.sampled_from(_WRAPPERS))
@settings(max_examples=300, deadline=None)
def test_a_redirect_wrapper_gives_the_url_its_own_key(url: str, wrap: object) -> None:
    if url.startswith("tg:") or "://" not in url:
        return  # deep links and host-less inputs are not what mail filters rewrite
    ref = parse(url)
    wrapped = parse(wrap(url))  # type: ignore[operator]
    assert (wrapped.key, wrapped.canonical_url) == (ref.key, ref.canonical_url)
    assert wrapped.secret == ref.secret


_KEY = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=16, max_size=50
)
_MEGA_ID = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=8
)


@given(_MEGA_ID, _KEY, st.sampled_from(["/file/{id}#{key}", "/#!{id}!{key}", "/folder/{id}#{key}",
                                        "/#F!{id}!{key}", "/embed/{id}#{key}", "/folder/{id}#{key}/file/AbCd1234"]),
       st.sampled_from(["https://mega.nz", "mega.nz", "https://mega.co.nz", "https://mega.io"]))  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_a_decryption_key_is_the_secret_and_nowhere_else(
    id_: str, key: str, shape: str, host: str
) -> None:
    ref = parse(host + shape.format(id=id_, key=key))
    assert ref.secret == key
    assert ref.id == id_
    for stored in (ref.key, ref.canonical_url, *ref.parents, *ref.flags, ref.account or ""):
        assert key not in stored
    for wrapped in (
        "https://www.google.com/url?q=" + quote(f"https://mega.nz{shape.format(id=id_, key=key)}"),
    ):
        again = parse(wrapped)
        assert again.secret == key and key not in again.key + again.canonical_url


# However the "#" before a key arrives: as written, percent-encoded once or twice (a share tool,
# a spreadsheet), inside an archive's copy or a mail filter's or search engine's redirect.
_HASHES = st.sampled_from(["#", "%23", "%2523"])
_MEGA_SHAPES = st.sampled_from(
    ["/file/{id}{h}{key}", "/folder/{id}{h}{key}", "/embed/{id}{h}{key}", "/{h}!{id}!{key}", "/{h}F!{id}!{key}",
     "/collection/{id}{h}{key}", "/embed{h}!{id}!{key}", "/folder/{id}{h}{key}/file/AbCd1234", "/lorem/ipsum{h}{key}"]
)  # fmt: skip
_CARRIERS = st.sampled_from(
    [
        lambda u: u,
        lambda u: "https://web.archive.org/web/2024/" + u,
        lambda u: "https://web.archive.org/web/20240101000000*/" + u,
        lambda u: "https://archive.ph/20240101000000/" + u,
        lambda u: "https://www.google.com/url?q=" + quote(u, safe=""),
        lambda u: "https://www.google.com/url?q=" + quote(quote(u, safe=""), safe=""),
        lambda u: (
            "https://eur01.safelinks.protection.outlook.com/?url="
            + quote(u, safe="")
            + "&reserved=0"
        ),
        lambda u: "https://l.facebook.com/l.php?u=" + quote(u, safe="") + "&h=AT0",
        lambda u: "https://urldefense.com/v3/__" + u + "__;!!AbC!DeF$",
        lambda u: u.upper(),
    ]
)


@given(
    _MEGA_ID,
    _KEY,
    _MEGA_SHAPES,
    _HASHES,
    st.sampled_from(["https://mega.nz", "mega.nz", "https://mega.io"]),
    _CARRIERS,
)
@settings(max_examples=500, deadline=None)
def test_a_decryption_key_never_reaches_a_key_however_encoded(
    id_: str, key: str, shape: str, hashmark: str, host: str, carry: object
) -> None:
    url = carry(host + shape.format(id=id_, key=key, h=hashmark))  # type: ignore[operator]
    secret = key.upper() if url.isupper() else key
    without = carry(host + shape.format(id=id_, key="", h=hashmark))  # type: ignore[operator]
    assume(secret.lower() not in without.lower() + "unwrapped_redirect archived_copy")
    ref = parse(url)
    for stored in (ref.key, ref.canonical_url, *ref.parents, *ref.flags, ref.account or ""):
        assert secret not in stored, (url, stored)
    assert ref.secret is not None and secret in ref.secret
    kept = ref.without_secret()  # what intake stores and sends on
    assert secret not in kept, (url, kept)
    assert parse(kept).key == ref.key  # and it still names the same item


_PREFIXES = st.sampled_from(
    [
        "", "tg:", "tg://", "tg://resolve?", "tg://resolve?domain=", "tg://join?invite=", "tg://privatepost?channel=",
        "https://urldefense.com/v3/__", "https://urldefense.proofpoint.com/v2/url?u=", "https://nam02.safelinks.protection.outlook.com/?url=",
        "https://mega.nz/#", "https://mega.nz/file/AbCd1234#", "https://matrix.to/#/", "https://app.element.io/#/room/",
        "https://signal.group/#", "https://signal.art/addstickers/#", "https://web.archive.org/web/", "https://web.archive.org/web/2024/",
        "https://www.youtube.com/signin?next=", "https://www.instagram.com/accounts/login/?next=", "https://w.soundcloud.com/player/?url=",
        "https://invidious.lorem.example/", "https://nitter.net/", "/", "profile.php?", "https://archive.org/details/",
        "https://vk.com/video_ext.php?", "https://discord.com/channels/", "https://cdn.discordapp.com/attachments/",
    ]
)  # fmt: skip
_TAIL = st.text(
    st.sampled_from("abcXYZ019-._~%/?=&#:@+!$*;,'()[] \t\u00e9\u2603\x00\ud800"), max_size=60
)


@given(_PREFIXES, _TAIL)
@settings(max_examples=2000, deadline=None)
@example("tg://resolve?domain=", "lorem_news&post=" + "9" * 40)
@example(
    "https://urldefense.com/v3/__",
    "https://t.me/a**Z__;" + base64.b64encode(b"x").decode() + "!!a$",
)
@example(
    "https://web.archive.org/web/", "2024/https://web.archive.org/web/2024/https://t.me/lorem/1"
)
def test_no_input_raises_anything_but_url_error(prefix: str, tail: str) -> None:
    ref = _parse(prefix + tail)
    if ref is not None:
        assert isinstance(ref, ContentRef)
        assert len(ref.key) < 1024
        assert ref.account is None or len(ref.account) <= 512
        again = _parse(ref.canonical_url)
        assert again is not None and again.key == ref.key


_EDIT = st.tuples(
    st.integers(0, 500), st.sampled_from("abcXYZ019-_~/?=&#:@+!$*;,()."), st.booleans()
)


@given(st.sampled_from(SHAPES), st.lists(_EDIT, max_size=4))
@settings(max_examples=1000, deadline=None)
def test_a_shape_with_typos_reads_back_the_same(
    url: str, edits: list[tuple[int, str, bool]]
) -> None:
    """Near-misses of every shape (a character added or removed) parse to a URL that parses
    back to the same key, or are refused."""
    chars = list(url)
    for position, char, insert in edits:
        at = position % (len(chars) + 1)
        if insert or at == len(chars):
            chars.insert(at, char)
        else:
            del chars[at]
    ref = _parse("".join(chars))
    if ref is not None:
        again = parse(ref.canonical_url)
        assert (again.key, again.canonical_url) == (ref.key, ref.canonical_url)
