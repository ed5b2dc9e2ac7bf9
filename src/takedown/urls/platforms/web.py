"""The open web: general URL shorteners and redirect wrappers that belong to no platform.

Everything that no platform file claims is a ``web`` item; its account is the registrable
domain from the Public Suffix List.
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Wrapper

_GOOGLES = (
    "google.com",
    "www.google.com",
    "google.co.uk",
    "www.google.co.uk",
    "google.de",
    "www.google.de",
    "google.fr",
    "www.google.fr",
    "google.ru",
    "www.google.ru",
    "google.com.tr",
    "www.google.com.tr",
)

PLATFORM = Platform(
    name="web",
    hosts=(),
    shorteners=(
        "bit.ly", "bitly.com", "j.mp", "tinyurl.com", "goo.gl", "ow.ly", "buff.ly", "is.gd", "v.gd",
        "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id", "lnkd.in",
        "dlvr.it", "trib.al", "clck.ru", "u.to", "bit.do", "qr.ae", "x.gd", "surl.li", "shorte.st",
        "adf.ly", "tiny.one", "shorturl.asia",
    ),
    redirects=(
        Wrapper(hosts=_GOOGLES, path=r"/url", param="q"),
        Wrapper(hosts=_GOOGLES, path=r"/url", param="url"),
        Wrapper(hosts=("duckduckgo.com",), path=r"/l", param="uddg"),
        Wrapper(hosts=("steamcommunity.com",), path=r"/linkfilter", param="url"),
        Wrapper(hosts=("slack-redir.net",), path=r"/link", param="url"),
    ),
)  # fmt: skip
