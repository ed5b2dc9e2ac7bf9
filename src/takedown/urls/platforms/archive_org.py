"""archive.org: Wayback Machine snapshots (kept, with the original's key as parent, whatever
its platform), items, files of items (on item pages, downloads and storage nodes), accounts."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_ITEM = r"(?P<item>[A-Za-z0-9_.\-]+)"
_ITEM_PAGE = "archive_org:post:{item}"

PLATFORM = Platform(
    name="archive_org",
    hosts=("archive.org", "web.archive.org", "wayback.archive.org", "*.us.archive.org"),
    redirects=(
        # A snapshot: /web/<timestamp>[modifier_]/<original URL>. The snapshot stays the item.
        # The timestamp may be cut short (the nearest snapshot), end in "*" (the calendar) or
        # be left out (the latest snapshot).
        Wrapper(hosts=("web.archive.org", "wayback.archive.org"),
                path=r"/web/(?:(?P<ts>[0-9]{1,14}\*?|\*)(?:[a-z]{2}_)?/)?(?P<target>.+)"),
    ),
    rules=(
        Rule("account", r"/details/@(?P<account>[A-Za-z0-9_.\-]+)(?:/.*)?", "@{account}", "https://archive.org/details/@{account}", id=None),
        # The book reader's page and mode suffixes show the item itself.
        Rule("post", rf"/(?:details|embed|stream)/{_ITEM}(?:/(?:page|mode|start|search)/.*)?", "{item}", "https://archive.org/details/{item}",
             account=None, id="{item}", lower=()),
        # An item page opened on one of its files: the item's file, with the item as parent.
        Rule("post", rf"/(?:details|embed|stream)/{_ITEM}/(?P<file>.+)", "{item}/{file}", "https://archive.org/details/{item}/{file}",
             account=None, id="{item}/{file}", parents=(_ITEM_PAGE,), lower=()),
        Rule("file", rf"/download/{_ITEM}/(?P<file>.+)", "{item}/{file}",
             "https://archive.org/download/{item}/{file}", account=None, id="{item}/{file}", parents=(_ITEM_PAGE,), lower=()),
        Rule("post", rf"/download/{_ITEM}", "{item}", "https://archive.org/details/{item}", account=None, id="{item}", lower=()),
        Rule("file", rf"/[0-9]+/items/{_ITEM}/(?P<file>.+)", "{item}/{file}", "https://archive.org/download/{item}/{file}",
             account=None, id="{item}/{file}", parents=(_ITEM_PAGE,), hosts=("*.us.archive.org",), lower=()),
        # A snapshot whose original is not a URL that can be read: the snapshot page itself.
        Rule("page", r"/web/(?P<rest>.+)", "web/{rest}", "https://web.archive.org/web/{rest}", account=None, id=None,
             hosts=("web.archive.org", "wayback.archive.org"), lower=()),
    ),
)  # fmt: skip
