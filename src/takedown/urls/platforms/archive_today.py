"""archive.today (archive.ph, archive.is, archive.li, archive.vn, archive.fo, archive.md): one
archive under several names. A snapshot stays the item, with the original's key as parent,
whatever the original's platform, as a Wayback snapshot does."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_HOSTS = ("archive.ph", "archive.today", "archive.is", "archive.li", "archive.vn", "archive.fo", "archive.md")  # fmt: skip

PLATFORM = Platform(
    name="archive_today",
    hosts=_HOSTS,
    redirects=(
        # /<timestamp>/<original URL>: 14 digits, fewer (the nearest snapshot) or the dotted form
        # of its share links (2024.01.31-120000); /newest/, /oldest/; no timestamp: the list of
        # the original's snapshots. The snapshot's canonical URL is on archive.ph.
        Wrapper(hosts=_HOSTS, path=r"/(?:(?P<ts>[0-9]{4,14}|[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9]{6}|newest|oldest)/)?(?P<target>.+)",
                snapshot="", snapshot_host="archive.ph"),
    ),
    rules=(
        # A snapshot by its short id: archive.ph/<id>.
        Rule("page", r"/(?P<id>[A-Za-z0-9]{5})", "{id}", "https://archive.ph/{id}", account=None, lower=()),
    ),
)  # fmt: skip
