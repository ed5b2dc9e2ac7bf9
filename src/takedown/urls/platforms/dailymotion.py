"""Dailymotion: videos (including dai.ly links and embeds), playlists and channels."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>x[a-z0-9]{4,10})"
_VIDEO = "https://www.dailymotion.com/video/{id}"

PLATFORM = Platform(
    name="dailymotion",
    hosts=("dailymotion.com", "dai.ly", "geo.dailymotion.com"),
    rules=(
        Rule("post", rf"/(?:embed/)?video/{_ID}(?:_[^/]*)?", "{id}", _VIDEO, account=None, lower=()),
        Rule("post", rf"/{_ID}", "{id}", _VIDEO, account=None, hosts=("dai.ly",), lower=()),
        Rule("post", r"/player(?:/[A-Za-z0-9]+)?\.html", "{id}", _VIDEO, account=None, query={"video": _ID}, lower=()),
        Rule("collection", r"/playlist/(?P<id>x[a-z0-9]+)", "playlist/{id}", "https://www.dailymotion.com/playlist/{id}",
             account=None, lower=()),
        Rule("account", r"/(?!(?:video|playlist|embed|search|signin|library)(?:/|$))(?P<account>[A-Za-z0-9_\-]{3,})", "{account}",
             "https://www.dailymotion.com/{account}", id=None),
    ),
)  # fmt: skip
