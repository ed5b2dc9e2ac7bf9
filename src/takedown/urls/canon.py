"""Canonicalisation of http(s) URLs: WHATWG-style parsing tuned for dedupe.

``canonicalise(text)`` returns a :class:`Url` with scheme, host, port, path and query in their
canonical forms, or raises :class:`UrlError`. Deliberate differences from the WHATWG URL
standard are listed in docs/urls.md; in short: fragments and credentials are dropped,
percent-encoded unreserved characters are decoded, repeated slashes in the path collapse,
dots around the host are tidied, and tracking parameters leave the query.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import NamedTuple

from takedown.urls.hosts import canonical_host
from takedown.urls.model import UrlError

MAX_BYTES = 8192
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": "80", "https": "443"}
REFUSED_SCHEMES = {
    "javascript": "runs code, it names no content",
    "data": "carries its content inline, it names no content online",
    "mailto": "is an e-mail address",
    "ftp": "is not supported: only http and https",
    "file": "is a local file",
    "blob": "is local to one browser",
    "about": "is a browser page",
    "vbscript": "runs code, it names no content",
}

# App links that takedown.urls.deeplinks reads as the web link they stand for.
APP_SCHEMES = ("tg", "matrix", "whatsapp")

# Query parameters that track clicks rather than identify content (exact names, lowercase).
TRACKING = frozenset(
    [
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mibextid",
        "si",
        "feature",
        "ref_src",
        "ref_url",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "spm",
        "__twitter_impression",
        "cmpid",
        "s_cid",
        "sr_share",
        "trk",
        "wt.mc_id",
        "ncid",
    ]
)
TRACKING_PREFIXES = ("utm_", "_nc_", "pk_", "oly_", "__cft__", "__tn__", "hsa_", "mtm_")

# A drive letter, or a path relative to a folder: a file on someone's computer.
_LOCAL_PATH = re.compile(r"[A-Za-z]:[\\/]|\.{1,2}[\\/]|~[\\/]")
# Paths that name content without a host: Facebook's own, read by parse as facebook.com's.
HOSTLESS_FACEBOOK = ("profile.php", "permalink.php")

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_PORT_AFTER = re.compile(r"[0-9]*(?:[/?#\\]|\Z)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAB_NEWLINE = str.maketrans("", "", "\t\r\n")
_AUTH_END = re.compile(r"[/?#\\]")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
# An escape that _unescape changes: of an unreserved character, or with a lowercase hex digit.
_PCT_CHANGED = re.compile(
    r"%(?:3[0-9]|[46][1-9A-F]|[57][0-9A]|2[DE]|5F|7E|[0-9A-Fa-f][a-f]|[a-f][0-9A-F])"
)
_PATH_ENCODE = re.compile(r"[^!$%&'()*+,\-./0-9:;=@A-Z\[\\\]^_a-z|~]")
_QUERY_ENCODE = re.compile(r"[^!$%&()*+,\-./0-9:;=?@A-Z\[\\\]^_`a-z{|}~]")
_PATH_SIMPLE = re.compile(
    r"(?:/[A-Za-z0-9_\-~@+:,;=!$*'()]+(?:\.[A-Za-z0-9_\-~@+:,;=!$*'()]+)*)*/?"
)
# The common case, read by canonicalise_fast: lowercase http(s) or no scheme, then host, path
# and query made only of characters that the general parser keeps as they are.
_FAST = re.compile(
    r"(?:(https?)://)?([A-Za-z0-9_.-]+)"
    r"((?:/[A-Za-z0-9_\-~@+:,;=!$*'().]+)*/?)"
    r"(?:\?([A-Za-z0-9_\-.~/@+:,;=!$*()%&]*))?"
)
_by_name = itemgetter(0)
_new = tuple.__new__  # builds a named tuple without the keyword-argument machinery
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class Url(NamedTuple):
    """A canonical http(s) URL, in parts. ``query`` keeps (name, raw pair) in input order."""

    scheme: str
    host: str
    port: str
    path: str
    query: tuple[tuple[str, str], ...]
    had_credentials: bool
    fragment: str = ""

    def query_string(self, sort: bool = False) -> str:
        pairs = sorted(self.query, key=_by_name) if sort else self.query
        return "&".join(raw for _, raw in pairs)

    def param(self, name: str) -> str | None:
        for key, raw in self.query:
            if key == name:
                return raw.partition("=")[2]
        return None


def _escape(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _unescape(text: str) -> str:
    """Unreserved characters decoded, other escapes in uppercase (RFC 3986 section 6.2.2)."""
    if "%" in text and _PCT_CHANGED.search(text):
        return _PCT.sub(_unescape_unreserved, text)
    return text


def _normalise_escapes(text: str, encode: re.Pattern[str]) -> str:
    return encode.sub(_escape, _unescape(text))


def _remove_dot_segments(path: str) -> str:
    """Resolve "." and ".." as WHATWG does, then collapse empty segments (but a trailing one)."""
    segments = path.split("/")[1:]
    out: list[str] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == "..":
            if out:
                out.pop()
            if i == last:
                out.append("")
        elif seg == ".":
            if i == last:
                out.append("")
        else:
            out.append(seg)
    kept = [seg for seg in out[:-1] if seg] + out[-1:]
    return "/" + "/".join(kept)


def normalise_path(path: str) -> str:
    """Percent-encoding, backslashes, dot segments and repeated slashes, as one path."""
    if not path:
        return "/"
    if _PATH_SIMPLE.fullmatch(path):
        return path
    path = _normalise_escapes(path.replace("\\", "/"), _PATH_ENCODE)
    return _remove_dot_segments(path)


def is_tracking(name: str) -> bool:
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def _decode(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _pairs(query: str) -> tuple[tuple[str, str], ...]:
    """(lowercase name, raw pair) for each pair of an escaped query, tracking and empty dropped.

    ``&amp;`` (a URL copied out of HTML source) separates pairs as ``&`` does."""
    if "amp;" in query:
        query = query.replace("&amp;", "&")
    pairs: list[tuple[str, str]] = []
    for raw in query.split("&"):
        if not raw:
            continue
        name = raw.partition("=")[0].lower()
        if "%" in name:
            name = _PCT.sub(_decode, name)
        if name not in TRACKING and not name.startswith(TRACKING_PREFIXES):
            pairs.append((name, raw))
    return tuple(pairs)


def normalise_query(query: str) -> tuple[tuple[str, str], ...]:
    """The query's pairs, escapes normalised, tracking parameters and empty pairs removed."""
    return _pairs(_normalise_escapes(query, _QUERY_ENCODE))


def _check_text(text: str) -> str:
    s = text.strip(" \t\r\n\f\v")
    if not s:
        raise UrlError("empty URL")
    if len(s) > MAX_BYTES or (
        len(s) > MAX_BYTES // 4 and len(s.encode("utf-8", "replace")) > MAX_BYTES
    ):
        raise UrlError(f"URL is over the limit of {MAX_BYTES} bytes")
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.translate(_TAB_NEWLINE)
    bad = _CONTROL.search(s)
    if bad:
        raise UrlError(f"control character U+{ord(bad.group()):04X} at position {bad.start()}")
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            raise UrlError("URL is not valid Unicode (lone surrogate)") from None
    return s


def _split_scheme(s: str) -> tuple[str, str]:
    if _LOCAL_PATH.match(s):
        raise UrlError(f"no host: {s[:60]!r} is a file path on a computer, not a URL")
    match = _SCHEME.match(s)
    if match:
        scheme = match.group(1).lower()
        rest = s[match.end() :]
        if scheme in SCHEMES:
            return scheme, rest.lstrip("/\\")
        if scheme in REFUSED_SCHEMES:
            raise UrlError(f"scheme {scheme!r} {REFUSED_SCHEMES[scheme]}")
        if scheme in APP_SCHEMES:
            raise UrlError(f"app link {s[:60]!r} is not one of the {scheme}: links takedown reads")
        if rest[:2].replace("\\", "/") == "//" and "." not in scheme:
            # "viber://pa?…", "intent://…": an app's own link, not a host without its dot
            raise UrlError(
                f"{scheme}:// is a deep link of an app that takedown does not read (it reads "
                "http and https URLs and the tg:, matrix: and whatsapp: app links); give the "
                "content's web link"
            )
        if not _PORT_AFTER.match(rest):
            raise UrlError(f"scheme {scheme!r} is not supported: only http and https")
    if s[0] in "/\\" and s[1:2] not in ("/", "\\") and not s[1:].startswith(HOSTLESS_FACEBOOK):
        raise UrlError(
            f"no host: {s[:60]!r} is a path without its site; give the whole URL, https://host/path"
        )
    return "https", s.lstrip("/\\")


def _split_hostport(authority: str, scheme: str) -> tuple[str, str]:
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise UrlError(f"unbalanced IPv6 brackets in host {authority!r}")
        host, rest = authority[: end + 1], authority[end + 1 :]
        if rest and not rest.startswith(":"):
            raise UrlError(f"unexpected {rest!r} after IPv6 address")
        port = rest[1:]
    elif "]" in authority:
        raise UrlError(f"unbalanced IPv6 brackets in host {authority!r}")
    else:
        host, _, port = authority.partition(":")
    if port:
        if not port.isdigit() or not port.isascii():
            raise UrlError(f"invalid port {port!r}")
        if int(port) > 65535:
            raise UrlError(f"port {port} is out of range")
        port = str(int(port))
        if port == DEFAULT_PORTS[scheme]:
            port = ""
    if not host:
        raise UrlError("URL has no host")
    return host, port


def canonicalise_fast(text: str) -> Url | None:
    """The canonical parts of a plain URL, or None when ``text`` needs the general parser.

    Plain means: http or https in lowercase, or no scheme; no credentials, port, fragment,
    whitespace or punycode; a path with no dot segments, empty segments or characters to
    escape; a query of characters that need no escaping. The host goes through the same
    :func:`canonical_host` as in the general parser. The result equals
    :func:`canonicalise_general`'s (a property test in tests/urls checks this).
    """
    if len(text) >= 2048 or "xn--" in text:
        return None
    fast = _FAST.fullmatch(text)
    if fast is None:
        return None
    scheme, host, path, query = fast.groups()
    if "/." in path:
        return None  # maybe a dot segment: the general parser resolves it
    # Every character is one the query may hold: only escapes can need normalising.
    pairs = _pairs(_unescape(query) if "%" in query else query) if query else ()
    return _new(Url, (scheme or "https", canonical_host(host), "", path or "/", pairs, False, ""))


def canonicalise_general(text: str) -> Url:
    """Parse any text as an http(s) URL (scheme optional) into its canonical parts."""
    s = _check_text(text)
    scheme, rest = _split_scheme(s)
    end = _AUTH_END.search(rest)
    if end is None:
        authority, rest = rest, ""
    else:
        authority, rest = rest[: end.start()], rest[end.start() :]
    credentials = False
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        credentials = userinfo not in ("", ":")
    raw_host, port = _split_hostport(authority, scheme)
    host = canonical_host(raw_host)
    path, hashmark, fragment = rest.partition("#")
    path, _, query = path.partition("?")
    if hashmark and fragment.startswith("!/") and path in ("", "/"):
        # An AJAX "#!/" route is the path, with its own query; the page shell's query
        # (?lang=…, tracking) before it does not name the content.
        path, _, query = fragment[1:].partition("?")
    return Url(
        scheme,
        host,
        port,
        normalise_path(path),
        normalise_query(query) if query else (),
        credentials,
        fragment,
    )


def canonicalise(text: str) -> Url:
    """Parse ``text`` as an http(s) URL (scheme optional) into its canonical parts."""
    return canonicalise_fast(text) or canonicalise_general(text)
