"""The open web: general URL shorteners and redirect wrappers that belong to no platform.

Everything that no platform file claims is a ``web`` item; its account is the registrable
domain from the Public Suffix List.
"""

from __future__ import annotations

from takedown.urls.decoders import proofpoint_v2, proofpoint_v3
from takedown.urls.rules import Platform, Wrapper

# Google's search and mail redirects, on the Google domains that referral units meet most
# (the host with or without www.: "www." is folded before lookup).
_GOOGLE_SUFFIXES = (
    "com", "co.uk", "de", "fr", "ru", "com.tr", "es", "it", "nl", "pl", "be", "at", "ch", "se", "dk", "fi",
    "no", "pt", "gr", "cz", "hu", "ro", "bg", "ie", "lu", "lt", "lv", "ee", "si", "sk", "hr", "com.ua",
    "com.br", "ca", "com.au", "co.in", "com.eg", "com.sa", "ae", "com.pk", "co.id", "com.mx", "com.ar",
)  # fmt: skip
_GOOGLES = tuple(f"google.{suffix}" for suffix in _GOOGLE_SUFFIXES)
# Proofpoint URL Defense: its own host, the short one, and the one of its US public-sector service.
_PROOFPOINT = ("urldefense.proofpoint.com", "urldefense.com", "urldefense.us")

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
        # Mail filters that rewrite every link: Microsoft Defender Safe Links (Outlook, Teams)
        # and Proofpoint URL Defense (v1 percent-encoded, v2 its own escapes, v3 in the path).
        Wrapper(hosts=("*.safelinks.protection.outlook.com", "*.safelinks.protection.office365.us"), path=r"/.*", param="url"),
        Wrapper(hosts=("statics.teams.cdn.office.net",), path=r"/evergreen-assets/safelinks/.*", param="url"),
        Wrapper(hosts=_PROOFPOINT, path=r"/v1/url", param="u"),
        Wrapper(hosts=_PROOFPOINT, path=r"/v2/url", param="u", decode=proofpoint_v2),
        Wrapper(hosts=_PROOFPOINT, path=r"/v3/__.*", extract=proofpoint_v3),
    ),
)  # fmt: skip
