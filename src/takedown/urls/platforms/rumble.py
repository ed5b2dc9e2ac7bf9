"""Rumble: videos (by their v-id), embeds, channels and users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="rumble",
    hosts=("rumble.com",),
    rules=(
        Rule("post", r"/(?P<id>v[a-z0-9]{4,10})(?P<slug>-[^/]*)?\.html", "{id}", "https://rumble.com/{id}.html",
             account=None, lower=("id",)),
        Rule("post", r"/embed/(?P<id>v[a-z0-9]{4,10})", "{id}", "https://rumble.com/{id}.html", account=None, lower=("id",)),
        Rule("account", r"/(?P<prefix>c|user)/(?P<account>[A-Za-z0-9_\-]+)(?:/videos)?", "{prefix}/{account}",
             "https://rumble.com/{prefix}/{account}", id=None),
    ),
)  # fmt: skip
