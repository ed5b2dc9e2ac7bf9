"""``parse``: from what an analyst pastes to one :class:`ContentRef` with a dedupe key."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import unquote

from takedown.urls.canon import HOSTLESS_FACEBOOK, Url, canonicalise_fast, canonicalise_general
from takedown.urls.deeplinks import translate
from takedown.urls.hosts import has_public_suffix, is_ip, registrable_domain
from takedown.urls.model import ContentRef, UrlError
from takedown.urls.registry import HostInfo, registry
from takedown.urls.rules import Plan, Wrapper

MAX_KEY = 1000
MAX_DEPTH = 4

FLAG_CREDENTIALS = "credentials_removed"
FLAG_SHORTENER = "needs_resolution"
FLAG_REDIRECT = "unwrapped_redirect"
FLAG_ARCHIVE = "archived_copy"
FLAG_MIRROR = "mirror"

_CREDENTIALS = (FLAG_CREDENTIALS,)
# ContentRef is a named tuple: tuple.__new__ builds one without the keyword-argument machinery.
_new = tuple.__new__

_archive_regexes: dict[str, re.Pattern[str]] = {}
_STAMP_MARKS = re.compile(r"[*.\-]")
# Text that names its site: a scheme, or "//" before the host.
_HAS_AUTHORITY = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:|[/\\]{2})")


def _bounded(key: str) -> str:
    """Keys stay short: a long tail is replaced by its SHA-256, keeping platform and kind."""
    if len(key) <= MAX_KEY:
        return key
    head = ":".join(key.split(":", 2)[:2])
    return f"{head}:sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def _hostport(url: Url, host: str) -> str:
    return f"{host}:{url.port}" if url.port else host


_DNS_NAME = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*"
)


@lru_cache(maxsize=65536)
def _check_web_host(host: str) -> bool:
    """A web item's host must be an IP or a DNS name (letters, digits, '-', '_') with a dot.

    This refuses what a spreadsheet or a sentence leaves in a cell, such as
    ``=HYPERLINK("https://…")`` read without a scheme, or a single word. Returns whether the
    host is an IP or ends in a public suffix (a host that does not needs a scheme to be one).
    """
    if is_ip(host):
        return True
    if not _DNS_NAME.fullmatch(host):
        raise UrlError(f"host {host!r} is not a domain name (letters, digits, '-', '.' only)")
    if "." not in host:
        raise UrlError(f"host {host!r} is not a domain name on the internet (it has no dot)")
    return has_public_suffix(host)


def _web(text: str, url: Url, info: HostInfo, flags: tuple[str, ...], current: str) -> ContentRef:
    if not _check_web_host(info.host) and not _HAS_AUTHORITY.match(current):
        raise UrlError(
            f"no host: {info.host!r} is not a domain name on the internet (no such top-level "
            "domain); give the whole URL, https://host/path"
        )
    host = _hostport(url, info.host)
    account = registrable_domain(info.host)
    query = url.query_string(sort=True)
    tail = f"{url.path}?{query}" if query else url.path
    canonical = f"{url.scheme}://{host}{tail}"
    site = f"web:site:{account}"
    if tail == "/":
        parents = () if host == account else (site,)
        return ContentRef(
            text, canonical, "web", "site", account, None, f"web:site:{host}", parents, flags
        )
    key = _bounded(f"web:page:{host}{tail}")
    return ContentRef(text, canonical, "web", "page", account, None, key, (site,), flags)


def _first_value(value: str) -> str:
    """A query value whose own separators came percent-encoded (``v=<id>%26feature%3Dshare``,
    or ``%2526`` when encoded twice), decoded and cut where the next parameter or fragment
    begins."""
    for _ in range(3):
        if "%" not in value:
            break
        value = unquote(value)
    return value.split("&", 1)[0].split("#", 1)[0]


def _matched(url: Url, plan: Plan, groups: dict[str, str], sub: str, shout: bool) -> bool:
    """Whether the query parameters, fragment and subdomain that ``plan`` needs are there;
    adds the groups they hold. With ``shout`` (a URL in capitals) case is ignored."""
    if shout:
        queries, fragment = plan.any_case()
    else:
        queries, fragment = plan.queries, plan.fragment
    for name, regex in queries:
        value = url.param(name)
        if value is None:
            return False
        matched = regex.fullmatch(value)
        if matched is None and "%" in value:
            matched = regex.fullmatch(_first_value(value))
        if matched is None:
            return False
        groups.update(matched.groupdict() or {name: matched.group()})
    if fragment is not None:
        matched = fragment.fullmatch(url.fragment)
        if matched is None:
            return False
        groups.update(matched.groupdict())
    return plan.sub is None or plan.sub.fullmatch(sub) is not None


def _unquoted(text: str) -> str | None:
    """``text`` percent-decoded until no escape is left (three rounds at most); None when the
    bytes are not UTF-8."""
    for _ in range(3):
        try:
            decoded = unquote(text, errors="strict")
        except UnicodeDecodeError:
            return None
        if decoded == text:
            break
        text = decoded
    return text


def _decoded(url: Url) -> Url | None:
    """``url`` read again with its path percent-decoded: a share tool that encoded the whole
    path (``%40name``, ``/file/<id>%23<key>``, ``<id>%3Flist%3D…``) hid the ``@``, ``:``,
    ``/``, ``?`` or ``#`` that the platform's rules read. None when decoding changes nothing
    or leaves no URL."""
    path = _unquoted(url.path)
    if path is None or path == url.path:
        return None
    head, hashmark, fragment = path.partition("#")
    query = url.query_string()
    if query:
        head += ("&" if "?" in head else "?") + query
    if url.fragment:
        fragment = f"{fragment}#{url.fragment}" if hashmark else url.fragment
        hashmark = "#"
    try:
        again = canonicalise_general(
            f"https://{_hostport(url, url.host)}{head}{hashmark}{fragment}"
        )
    except UrlError:
        return None
    # Escapes of what a path must escape (non-ASCII letters, spaces) come back as they were.
    same = (again.path, again.query, again.fragment) == (url.path, url.query, url.fragment)
    return None if same else again


_HASH = re.compile(r"%(?:25)*23")


def _cut_secret(url: Url) -> tuple[str, str | None]:
    """(path, secret) for a platform whose fragments are decryption keys: the path stops at a
    percent-encoded ``#``; what follows it, and the fragment, are the secret."""
    path, secret = url.path, url.fragment
    cut = _HASH.search(path)
    if cut is not None:
        rest = path[cut.end() :]
        path = path[: cut.start()] or "/"
        rest = _unquoted(rest) or rest
        secret = f"{rest}#{secret}" if secret else rest
    return path, secret or None


def _shouted(url: Url) -> bool:
    """Whether what the rules read (path, query, fragment) is written all in capitals, as a QR
    code's alphanumeric mode or caps lock leaves a URL. The scheme and host do not count: the
    canonical URL of such a page (``https://x.com/HOME``) must read the same again."""
    text = url.path + url.fragment + "".join([raw for _, raw in url.query])
    return text.isupper()


def _platform(
    text: str, url: Url, info: HostInfo, flags: tuple[str, ...], current: str, depth: int
) -> ContentRef:
    """The platform's content that the first matching rule reads; else :func:`_unread`.

    A URL written all in capitals (``shout``) is matched ignoring case: the platform's words
    (``VIDEO``, ``STATUS``) are read, names it folds are folded, and ids are kept as written
    (their case is lost)."""
    platform = info.platform
    rules = info.rules
    assert platform is not None and rules is not None
    path = url.path.rstrip("/")
    # Most paths hold a lowercase letter; only one in capitals (or with no letter) can be shouted.
    if path.islower() or path.upper() != path or not _shouted(url):
        shout = False
        match = rules.match
    else:
        shout = True
        match = rules.match_any_case
    found = match(path)
    while found is not None:
        plan, groups = found
        if plan.checks and not _matched(url, plan, groups, info.sub, shout):
            found = match(path, plan.index + 1)
            continue
        groups["sub"] = info.sub
        for name in plan.lower_any_case if shout else plan.lower:
            value = groups.get(name)
            if value:
                groups[name] = value.lower()
        if info.mirror:
            flags = (*flags, FLAG_MIRROR)
        key = plan.key(groups)
        return _new(
            ContentRef,
            (
                text,
                plan.canonical(groups),
                platform.name,
                plan.kind,
                plan.account(groups) if plan.account else None,
                plan.id(groups) if plan.id else None,
                key if len(key) <= MAX_KEY else _bounded(key),
                tuple([parent(groups) for parent in plan.parents]) if plan.parents else (),
                (*flags, *plan.flags) if flags else plan.flags,
                (groups.get(plan.secret) or None) if plan.secret else None,
            ),
        )
    return _unread(text, url, info, flags, current, depth)


def _unread(
    text: str, url: Url, info: HostInfo, flags: tuple[str, ...], current: str, depth: int
) -> ContentRef:
    """A URL of the platform that no rule reads: read again with its path decoded, or else a
    ``page`` keyed by host and path (a web page on a mirror's host)."""
    platform = info.platform
    assert platform is not None
    if "%" in url.path and depth < MAX_DEPTH:
        decoded = _decoded(url)
        if decoded is not None:
            ref = _platform(text, decoded, info, flags, current, depth + 1)
            if ref.id is not None or ref.secret is not None or ref.kind not in ("page", "site"):
                return ref
    if info.mirror:
        return _web(text, url, info, flags, current)
    secret = None
    path = url.path
    if platform.secret_fragments:
        path, secret = _cut_secret(url)
    query = url.query_string(sort=True)
    tail = f"{path}?{query}" if query else path
    host = info.host if platform.pages_on_own_host else info.canonical_host
    # A page no rule reads is fetched where it was seen: youtu.be/<x> is not youtube.com/<x>.
    canonical = f"https://{info.host}{tail}"
    kind = "site" if tail == "/" else "page"
    key = _bounded(f"{platform.name}:{kind}:{host}{'' if tail == '/' else tail}")
    return ContentRef(text, canonical, platform.name, kind, None, None, key, (), flags, secret)


def _shortened(text: str, url: Url, info: HostInfo, flags: tuple[str, ...]) -> ContentRef:
    platform = info.shortener_of or "web"
    query = url.query_string()
    tail = f"{url.path}?{query}" if query else url.path
    canonical = f"https://{info.host}{tail}"
    account = registrable_domain(info.host) if platform == "web" else None
    code = url.path.strip("/") or None
    key = _bounded(f"{platform}:page:{info.host}{tail}")
    return ContentRef(
        text, canonical, platform, "page", account, code, key, (), (*flags, FLAG_SHORTENER)
    )


# A target still encoded after one round: "https%3A%2F%2F…", "%2Fwatch%3Fv%3D…".
_ENCODED_TARGET = re.compile(r"(?:https?%3A|%2F)", re.IGNORECASE)


def _target_text(value: str) -> str:
    """The URL a wrapper's parameter carries, percent-decoded; again (three rounds at most)
    while it is still encoded (no "/" yet, or "https%3A…"): a mail filter or a share tool
    encoded it twice."""
    target = unquote(value)
    for _ in range(2):
        if "%" not in target or ("/" in target and not _ENCODED_TARGET.match(target)):
            break
        target = unquote(target)
    return target


def _target(url: Url, wrapper: Wrapper, current: str) -> tuple[str, str | None] | None:
    """(target URL, None for a redirect or the archive's timestamp) when ``url`` is this
    wrapper, else None. An archive URL without a timestamp (the latest snapshot) has ""."""
    regex = _archive_regexes.get(wrapper.path)
    if regex is None:
        regex = _archive_regexes.setdefault(wrapper.path, re.compile(wrapper.path))
    match = regex.fullmatch(url.path)
    if match is None:
        return None
    if wrapper.extract is not None:
        target = wrapper.extract(current)
    elif wrapper.param is not None:
        value = url.param(wrapper.param)
        target = (
            (wrapper.decode(value) if wrapper.decode else _target_text(value)) if value else None
        )
    else:
        query = url.query_string()
        target = match.group("target") + (f"?{query}" if query else "")
        if url.fragment:  # the snapshot's fragment is the original's (a MEGA key, a #! route)
            target += f"#{url.fragment}"
        # "2024*" and "2024.01.31-120000" (archive.today's share links) name the snapshot
        # that "2024" and "20240131120000" name: one key for each. "*" alone (the calendar of
        # every snapshot) stays.
        stamp = match.group("ts") or ""
        return target, _STAMP_MARKS.sub("", stamp) or stamp
    if not target:
        return None
    if wrapper.base is not None and target[0] == "/" and target[1:2] not in ("/", "\\"):
        target = wrapper.base + target  # a sign-in page's "next=/watch?v=…"
    if url.fragment and "#" not in target:
        target += f"#{url.fragment}"  # "?u=https://mega.nz/file/<id>#<key>" left unencoded
    return target, None


def _unwrap(
    text: str, url: Url, info: HostInfo, flags: tuple[str, ...], depth: int, current: str
) -> ContentRef | None:
    for wrapper in info.redirects:
        found = _target(url, wrapper, current)
        if found is None:
            continue
        target, stamp = found
        try:
            inner = _parse(target, text, depth + 1)
        except UrlError:
            return None
        if stamp is None:
            return ContentRef(
                text, inner.canonical_url, inner.platform, inner.kind, inner.account, inner.id,
                inner.key, inner.parents, tuple(dict.fromkeys((*flags, FLAG_REDIRECT, *inner.flags))),
                inner.secret,
            )  # fmt: skip
        platform = info.platform.name if info.platform else "web"
        at = f"{wrapper.snapshot}{stamp}/" if stamp else wrapper.snapshot
        canonical = f"https://{wrapper.snapshot_host or info.host}/{at}{inner.canonical_url}"
        key = _bounded(f"{platform}:page:{at}{inner.key}")
        extra = tuple(f for f in inner.flags if f != FLAG_CREDENTIALS)
        # The snapshot shows the original's content: its id and account are the original's.
        return ContentRef(
            text, canonical, platform, "page", inner.account, inner.id, key, (inner.key, *inner.parents),
            tuple(dict.fromkeys((*flags, FLAG_ARCHIVE, *extra))), inner.secret,
        )  # fmt: skip
    return None


def _parse(text: str, original: str, depth: int) -> ContentRef:
    url = canonicalise_fast(text)
    if url is None:
        target = translate(text) if depth < MAX_DEPTH else None
        if target is not None:  # an app's deep link (tg://resolve?…): read as its web link
            return _parse(target, original, depth + 1)
        url = canonicalise_general(text)
    info = registry().lookup(url.host)
    flags = _CREDENTIALS if url.had_credentials else ()
    if info.wrapped is not None and depth < MAX_DEPTH and info.wrapped.fullmatch(url.path):
        unwrapped = _unwrap(original, url, info, flags, depth, text)
        if unwrapped is not None:
            return unwrapped
    if info.shortener_of is not None:
        return _shortened(original, url, info, flags)
    if info.platform is None:
        if info.host in HOSTLESS_FACEBOOK and not _HAS_AUTHORITY.match(text) and depth < MAX_DEPTH:
            # "profile.php?id=…" pasted without its host can only be Facebook's
            return _parse(
                f"https://www.facebook.com/{text.strip().lstrip('/')}", original, depth + 1
            )
        return _web(original, url, info, flags, text)
    return _platform(original, url, info, flags, text, depth)


def parse(text: str) -> ContentRef:
    """Read ``text`` as a URL of content: canonical URL, platform, kind, ids, key and parents.

    Raises :class:`UrlError` (a ``ValueError``) with a message saying what is wrong; never
    anything else.
    """
    if not isinstance(text, str):
        raise UrlError(f"a URL must be text, not {type(text).__name__}")
    return _parse(text, text, 0)
