"""Dailymotion: videos (including dai.ly links, embeds, the old swf/ player and player pages),
playlists and channels."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_ID = r"(?P<id>x[a-z0-9]{4,10})"
_VIDEO = "https://www.dailymotion.com/video/{id}"

PLATFORM = Platform(
    name="dailymotion",
    hosts=("dailymotion.com", "dai.ly", "geo.dailymotion.com", "touch.dailymotion.com", "*.dailymotion.com"),
    # The family filter's interstitial carries the page it stands before.
    redirects=(Wrapper(hosts=("dailymotion.com", "www.dailymotion.com"), path=r"/family_filter/?", param="urlback",
                       base="https://www.dailymotion.com"),),
    rules=(
        Rule("post", rf"/(?:embed/|swf/|crawler/|family_filter/)?video/{_ID}(?:_[^/]*)?", "{id}", _VIDEO, account=None, lower=(), lowercase=("id",)),
        Rule("post", rf"/swf/{_ID}(?:_[^/]*)?", "{id}", _VIDEO, account=None, lower=(), lowercase=("id",)),
        Rule("post", rf"/{_ID}", "{id}", _VIDEO, account=None, hosts=("dai.ly",), lower=(), lowercase=("id",)),
        Rule("post", r"/(?:player(?:/[A-Za-z0-9]+)?\.html|embed|player)", "{id}", _VIDEO, account=None, query={"video": _ID}, lower=(), lowercase=("id",)),
        Rule("collection", r"/(?:player(?:/[A-Za-z0-9]+)?\.html|embed|player)", "playlist/{id}", "https://www.dailymotion.com/playlist/{id}",
             account=None, query={"playlist": r"(?P<id>x[a-z0-9]+)"}, lower=(), lowercase=("id",)),
        Rule("collection", r"/(?:embed/)?playlist/(?P<id>x[a-z0-9]+)(?:_[^/]*)?", "playlist/{id}", "https://www.dailymotion.com/playlist/{id}",
             account=None, lower=()),
        Rule("account", r"/(?!(?:video|playlist|embed|search|signin|library|swf|player|crawler|hub|us|fr|de|es|it|legal|partner)(?:/|$))"
             r"(?:user/)?(?P<account>[A-Za-z0-9_\-]{3,})(?:/(?:videos|playlists|about|[0-9]+))?", "{account}",
             "https://www.dailymotion.com/{account}", id=None),
    ),
)  # fmt: skip
