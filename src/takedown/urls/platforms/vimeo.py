"""Vimeo: videos (public, unlisted, in albums, showcases, channels, groups, On Demand, review
links, the old moogaloop.swf player), player embeds, vimeopro.com portfolios, showcases,
channels, groups and users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_VIDEO = "https://vimeo.com/{id}"
_ID = r"(?P<id>[0-9]{5,12})"
_RESERVED = (
    r"(?!(?:channels|groups|showcase|album|categories|watch|search|upload|features|blog|help|log_in|join"
    r"|ondemand|manage|settings|stock|create|solutions|enterprise|integrations|api|live|event|moogaloop\.swf"
    r"|video|user|terms|privacy|about|jobs|explore|everything|home)(?:/|$))"
)
_USER = rf"{_RESERVED}(?P<account>[A-Za-z][A-Za-z0-9_\-]{{2,}})"

PLATFORM = Platform(
    name="vimeo",
    hosts=("vimeo.com", "player.vimeo.com", "vimeopro.com", "*.vimeo.com"),
    rules=(
        Rule("post", rf"/{_ID}/(?P<h>[0-9a-f]{{6,}})", "{id}", "https://vimeo.com/{id}/{h}", account=None, lower=(), lowercase=("h",)),
        Rule("post", rf"/(?:video/|channels/[A-Za-z0-9_\-]+/|groups/[A-Za-z0-9_\-]+/videos/|(?:album|showcase)/[0-9]+/video/"
             rf"|ondemand/[A-Za-z0-9_\-]+/|manage/videos/)?{_ID}(?:/(?:embed|config))?", "{id}", _VIDEO, account=None, lower=()),
        Rule("post", r"/(?:moogaloop\.swf|play_redirect_hls)", "{id}", _VIDEO, account=None, query={"clip_id": _ID}, lower=()),
        Rule("post", rf"/{_USER}/review/{_ID}/(?P<h>[0-9a-f]{{6,}})", "{id}", "https://vimeo.com/{id}/{h}", lower=(), lowercase=("h",),
             parents=("vimeo:account:{account}",)),
        Rule("post", rf"/{_USER}/[A-Za-z0-9_\-]+/video/{_ID}", "{id}", _VIDEO, hosts=("vimeopro.com",),
             parents=("vimeo:account:{account}",)),
        Rule("collection", rf"/{_USER}/(?P<project>[A-Za-z0-9_\-]+)", "vimeopro/{account}/{project}",
             "https://vimeopro.com/{account}/{project}", id="{project}", hosts=("vimeopro.com",), lower=("account", "project")),
        Rule("collection", r"/(?:showcase|album)/(?P<id>[0-9]+)(?:/embed)?", "showcase/{id}", "https://vimeo.com/showcase/{id}",
             account=None, lower=()),
        Rule("collection", r"/channels/(?P<id>[A-Za-z0-9_\-]+)(?:/videos)?", "channels/{id}", "https://vimeo.com/channels/{id}",
             account=None, lower=("id",)),
        Rule("collection", r"/groups/(?P<id>[A-Za-z0-9_\-]+)(?:/videos)?", "groups/{id}", "https://vimeo.com/groups/{id}",
             account=None, lower=("id",)),
        Rule("collection", r"/ondemand/(?P<id>[A-Za-z0-9_\-]+)", "ondemand/{id}", "https://vimeo.com/ondemand/{id}",
             account=None, lower=("id",)),
        Rule("post", r"/event/(?P<id>[0-9]+)(?:/embed)?", "event/{id}", "https://vimeo.com/event/{id}", account=None, lower=()),
        Rule("account", rf"/{_USER}(?:/(?:videos|albums|showcases|channels|groups|likes|following|followers|collections|about|shorts)(?:/.*)?)?",
             "{account}", "https://vimeo.com/{account}", id=None),
    ),
)  # fmt: skip
