"""archive.org: Wayback Machine snapshots (kept, with the original as parent) and items."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

PLATFORM = Platform(
    name="archive_org",
    hosts=("archive.org", "web.archive.org"),
    redirects=(
        # A snapshot: /web/<timestamp>[modifier_]/<original URL>. The snapshot stays the item.
        Wrapper(hosts=("web.archive.org",), path=r"/web/(?P<ts>[0-9]{4,14})(?:[a-z]{2}_)?/(?P<target>.+)"),
    ),
    rules=(
        Rule("account", r"/details/@(?P<account>[A-Za-z0-9_.\-]+)", "@{account}", "https://archive.org/details/@{account}", id=None),
        Rule("post", r"/(?:details|embed)/(?P<id>[A-Za-z0-9_.\-]+)(?:/.*)?", "{id}", "https://archive.org/details/{id}",
             account=None, lower=()),
        Rule("file", r"/download/(?P<item>[A-Za-z0-9_.\-]+)/(?P<file>.+)", "{item}/{file}",
             "https://archive.org/download/{item}/{file}", account=None, id="{file}", parents=("archive_org:post:{item}",), lower=()),
    ),
)  # fmt: skip
