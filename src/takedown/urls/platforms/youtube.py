"""YouTube: videos (watch, youtu.be, shorts, live, embed), channels, playlists, YouTube Music."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_VIDEO = r"(?P<id>[A-Za-z0-9_-]{11})"
_WATCH = "https://www.youtube.com/watch?v={id}"
_TABS = r"(?:/(?:featured|videos|shorts|streams|live|playlists|community|about|channels|releases|podcasts|posts))?"

PLATFORM = Platform(
    name="youtube",
    hosts=("youtube.com", "youtu.be", "music.youtube.com", "youtube-nocookie.com", "gaming.youtube.com"),
    redirects=(Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/redirect", param="q"),),
    rules=(
        Rule("post", r"/watch", "{id}", _WATCH, account=None, query={"v": _VIDEO}, lower=()),
        Rule("post", rf"/{_VIDEO}", "{id}", _WATCH, account=None, hosts=("youtu.be",), lower=()),
        Rule("post", rf"/(?:shorts|live|embed|v|e)/{_VIDEO}", "{id}", _WATCH, account=None, lower=()),
        Rule("collection", r"/playlist", "{list}", "https://www.youtube.com/playlist?list={list}",
             account=None, id="{list}", query={"list": r"[A-Za-z0-9_-]{2,64}"}, lower=()),
        Rule("post", r"/post/(?P<id>Ug[A-Za-z0-9_-]+)", "post/{id}", "https://www.youtube.com/post/{id}", account=None, lower=()),
        Rule("account", rf"/@(?P<account>[A-Za-z0-9_.\-]{{3,30}}){_TABS}", "@{account}",
             "https://www.youtube.com/@{account}", id=None),
        Rule("account", rf"/channel/(?P<id>UC[A-Za-z0-9_-]{{22}}){_TABS}", "channel/{id}",
             "https://www.youtube.com/channel/{id}", account="{id}", lower=()),
        Rule("account", rf"/(?P<prefix>c|user)/(?P<account>[^/]+){_TABS}", "{prefix}/{account}",
             "https://www.youtube.com/{prefix}/{account}", id=None),
        Rule("collection", r"/browse/(?P<id>(?:MPREb|VL|OLAK)[A-Za-z0-9_-]+)", "browse/{id}",
             "https://music.youtube.com/browse/{id}", account=None, hosts=("music.youtube.com",), lower=()),
    ),
)  # fmt: skip
