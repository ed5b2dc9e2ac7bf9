"""Rutube: videos, shorts, live broadcasts and embeds (32-hex ids; old embeds by number),
channels and playlists."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>[0-9a-fA-F]{32})"

PLATFORM = Platform(
    name="rutube",
    hosts=("rutube.ru", "video.rutube.ru", "*.rutube.ru"),
    rules=(
        Rule("post", rf"/(?:video(?:/private)?|shorts|play/embed|embed|live/video|video/embed|yappy)/{_ID}", "{id}",
             "https://rutube.ru/video/{id}", account=None, lower=("id",)),
        # Old embeds and video.rutube.ru links name a video by number, not by its 32-hex id.
        Rule("post", r"/(?:play/embed|embed|video/embed)/(?P<id>[0-9]{5,})", "embed/{id}", "https://rutube.ru/play/embed/{id}",
             account=None, lower=()),
        Rule("post", r"/(?P<id>[0-9]{5,})", "embed/{id}", "https://rutube.ru/play/embed/{id}", account=None,
             hosts=("video.rutube.ru",), lower=()),
        Rule("account", r"/(?:channel|video/person)/(?P<id>[0-9]+)(?:/.*)?", "channel/{id}", "https://rutube.ru/channel/{id}",
             account="{id}", lower=()),
        Rule("account", r"/u/(?P<account>[A-Za-z0-9_\-]+)(?:/.*)?", "u/{account}", "https://rutube.ru/u/{account}", id=None),
        Rule("collection", r"/pl", "plst/{id}", "https://rutube.ru/plst/{id}", account=None, query={"pl_id": r"(?P<id>[0-9]+)"},
             lower=()),
        Rule("collection", r"/plst/(?P<id>[0-9]+)", "plst/{id}", "https://rutube.ru/plst/{id}", account=None, lower=()),
        Rule("collection", r"/metainfo/tv/(?P<id>[0-9]+)(?:/.*)?", "metainfo/tv/{id}", "https://rutube.ru/metainfo/tv/{id}",
             account=None, lower=()),
    ),
)  # fmt: skip
