"""Rutube: videos, shorts and embeds (32-hex ids), channels and playlists."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>[0-9a-f]{32})"

PLATFORM = Platform(
    name="rutube",
    hosts=("rutube.ru",),
    rules=(
        Rule("post", rf"/(?:video(?:/private)?|shorts|play/embed)/{_ID}", "{id}", "https://rutube.ru/video/{id}", account=None, lower=("id",)),
        Rule("account", r"/(?:channel|video/person)/(?P<id>[0-9]+)(?:/.*)?", "channel/{id}", "https://rutube.ru/channel/{id}",
             account="{id}", lower=()),
        Rule("account", r"/u/(?P<account>[A-Za-z0-9_\-]+)", "u/{account}", "https://rutube.ru/u/{account}", id=None),
        Rule("collection", r"/plst/(?P<id>[0-9]+)", "plst/{id}", "https://rutube.ru/plst/{id}", account=None, lower=()),
    ),
)  # fmt: skip
