"""BitChute: videos, embeds, torrents of a video, channels, profiles and playlists."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_VIDEO = "https://www.bitchute.com/video/{id}"

PLATFORM = Platform(
    name="bitchute",
    hosts=("bitchute.com", "old.bitchute.com", "api.bitchute.com"),
    rules=(
        Rule("post", r"/(?:video|embed)/(?P<id>[A-Za-z0-9_\-]{6,})", "{id}", _VIDEO, account=None, lower=()),
        # A video's torrent: /torrent/[<seed>/]<video id>[.torrent|.webtorrent].
        Rule("post", r"/torrent/(?:[A-Za-z0-9_\-]+/)?(?P<id>[A-Za-z0-9_\-]{6,})(?:\.(?:web)?torrent)?", "{id}", _VIDEO, account=None,
             lower=()),
        Rule("account", r"/channel/(?P<account>[A-Za-z0-9_\-]+)", "channel/{account}", "https://www.bitchute.com/channel/{account}",
             id=None, lower=()),
        Rule("account", r"/profile/(?P<account>[A-Za-z0-9_\-]+)", "profile/{account}", "https://www.bitchute.com/profile/{account}",
             id=None, lower=()),
        Rule("collection", r"/playlist/(?P<id>[A-Za-z0-9_\-]+)", "playlist/{id}", "https://www.bitchute.com/playlist/{id}",
             account=None, lower=()),
    ),
)  # fmt: skip
