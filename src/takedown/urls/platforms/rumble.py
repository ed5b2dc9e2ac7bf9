"""Rumble: videos (by their v-id), embeds (also with a publisher prefix, and the embedJS
player), channels and users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="rumble",
    hosts=("rumble.com", "*.rumble.com"),
    rules=(
        Rule("post", r"/(?P<id>v[a-z0-9]{4,10})(?P<slug>-[^/]*)?\.html", "{id}", "https://rumble.com/{id}.html",
             account=None, lower=("id",)),
        # An embed's id names the video too; "/embed/<publisher>.<id>" carries a publisher prefix.
        Rule("post", r"/embed/(?:[a-z0-9]+\.)?(?P<id>v[a-z0-9]{4,10})", "{id}", "https://rumble.com/embed/{id}", account=None, lower=("id",)),
        Rule("post", r"/embedJS/[a-z0-9]+", "{id}", "https://rumble.com/embed/{id}", account=None,
             query={"v": r"(?P<id>v[a-z0-9]{4,10})"}, lower=("id",)),
        Rule("account", r"/(?P<prefix>c|user)/(?P<account>[A-Za-z0-9_\-]+)(?:/(?:videos|livestreams|shorts|about|clips|playlists))?",
             "{prefix}/{account}", "https://rumble.com/{prefix}/{account}", id=None, lowercase=("prefix",)),
    ),
)  # fmt: skip
