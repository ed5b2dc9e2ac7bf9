"""Vimeo: videos (public and unlisted), player embeds, showcases, channels and users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_VIDEO = "https://vimeo.com/{id}"
_RESERVED = r"(?!(?:channels|groups|showcase|album|categories|watch|search|upload|features|blog|help|log_in|join)(?:/|$))"

PLATFORM = Platform(
    name="vimeo",
    hosts=("vimeo.com", "player.vimeo.com"),
    rules=(
        Rule("post", r"/(?P<id>[0-9]{5,12})/(?P<h>[0-9a-f]{6,})", "{id}", "https://vimeo.com/{id}/{h}", account=None, lower=()),
        Rule("post", r"/(?:video/|channels/[A-Za-z0-9_\-]+/|groups/[A-Za-z0-9_\-]+/videos/)?(?P<id>[0-9]{5,12})", "{id}", _VIDEO,
             account=None, lower=()),
        Rule("collection", r"/(?:showcase|album)/(?P<id>[0-9]+)", "showcase/{id}", "https://vimeo.com/showcase/{id}", account=None, lower=()),
        Rule("collection", r"/channels/(?P<id>[A-Za-z0-9_\-]+)", "channels/{id}", "https://vimeo.com/channels/{id}", account=None,
             lower=("id",)),
        Rule("account", rf"/{_RESERVED}(?P<account>[A-Za-z][A-Za-z0-9_\-]{{2,}})(?:/videos)?", "{account}", "https://vimeo.com/{account}",
             id=None),
    ),
)  # fmt: skip
