"""Minimal canonicaliser: enough for intake until the URL intelligence issue lands."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from takedown.urls.model import ContentRef, UrlError

MAX_INPUT = 8192
_TRACKING = ("utm_", "fbclid", "gclid", "igshid", "si", "feature")
_HOSTS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "vk.com": "vk",
    "rumble.com": "rumble",
    "bitchute.com": "bitchute",
    "odysee.com": "odysee",
    "archive.org": "archive_org",
}


def parse(text: str) -> ContentRef:
    raw = text.strip()
    if not raw:
        raise UrlError("empty URL")
    if len(raw) > MAX_INPUT:
        raise UrlError(f"URL is {len(raw)} characters, over the limit of {MAX_INPUT}")
    if any(ord(c) < 0x20 for c in raw):
        raise UrlError("URL contains control characters")
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").rstrip(".")
    except ValueError as exc:
        raise UrlError(f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UrlError(f"unsupported scheme {parts.scheme!r}: only http and https")
    if not host:
        raise UrlError("URL has no host")
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith(_TRACKING[0]) and k not in _TRACKING[1:]
    ]
    path = parts.path.rstrip("/") or ""
    platform = _HOSTS.get(host, "web")
    segments = [s for s in path.split("/") if s]
    if platform == "telegram" and segments:
        segments = segments[1:] if segments[0] == "s" else segments
        account = segments[0].lower()
        kind, ident = ("post", segments[-1]) if len(segments) > 1 else ("account", None)
        canonical = f"https://t.me/{account}" + (f"/{ident}" if ident else "")
        key = f"telegram:{kind}:{account}" + (f"/{ident}" if ident else "")
        parents = (f"telegram:account:{account}",) if ident else ()
        return ContentRef(text, canonical, platform, kind, account, ident, key, parents)
    canonical = urlunsplit(("https", host, path, urlencode(query), ""))
    account = host if platform == "web" else (segments[0].lower() if segments else None)
    kind = "site" if not path else "page"
    key = f"{platform}:{kind}:{canonical.split('://', 1)[1]}"
    return ContentRef(text, canonical, platform, kind, account, None, key)
