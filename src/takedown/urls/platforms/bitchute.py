"""BitChute: videos, embeds, channels, profiles and playlists."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="bitchute",
    hosts=("bitchute.com", "old.bitchute.com"),
    rules=(
        Rule("post", r"/(?:video|embed)/(?P<id>[A-Za-z0-9_\-]{6,})", "{id}", "https://www.bitchute.com/video/{id}", account=None, lower=()),
        Rule("account", r"/channel/(?P<account>[A-Za-z0-9_\-]+)", "channel/{account}", "https://www.bitchute.com/channel/{account}",
             id=None, lower=()),
        Rule("account", r"/profile/(?P<account>[A-Za-z0-9_\-]+)", "profile/{account}", "https://www.bitchute.com/profile/{account}",
             id=None, lower=()),
        Rule("collection", r"/playlist/(?P<id>[A-Za-z0-9_\-]+)", "playlist/{id}", "https://www.bitchute.com/playlist/{id}",
             account=None, lower=()),
    ),
)  # fmt: skip
