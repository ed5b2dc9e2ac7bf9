"""YouTube: videos (watch, youtu.be, shorts, live, embed, legacy /v/ and /video/), channels
(handles, channel ids, /user/, /c/ and bare custom names), playlists, clips, posts, YouTube
Music; sign-in, age-check and consent pages that carry the video they lead to; Invidious and
Piped front-ends (flagged ``mirror``)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_VIDEO = r"(?P<id>[A-Za-z0-9_-]{11})"
_WATCH = "https://www.youtube.com/watch?v={id}"
_TABS = r"(?:/(?:featured|videos|shorts|streams|live|playlists|community|about|channels|releases|podcasts|posts|store|search|courses))?"
_YOUTUBE = "https://www.youtube.com"
# First path segments that are YouTube's own pages, never a channel's custom name.
_RESERVED = (
    r"(?!(?:watch|watch_popup|results|feed|playlist|channel|user|c|shorts|live|embed|v|e|video|post|clip|hashtag|account"
    r"|signin|logout|premium|gaming|music|kids|about|t|howyoutubeworks|creators|ads|new|upload|redirect|attribution_link"
    r"|verify_age|supported_browsers|das_captcha|oops|error|index|view_play_list|playlists|subscription_center|paid_memberships"
    r"|reporthistory|select_site|source|storefront|trends|yts|img|s|api|iframe_api|player_api|oembed|live_chat|movies|sw\.js"
    r"|yt|jobs|trending|library|history|subscriptions|channel_switcher|create_channel|studio|login|signup|favicon\.ico|robots\.txt|sitemap\.xml|browse|podcasts|account_notifications|account_playback)(?:/|$))"
)
# Invidious and Piped instances that are well known (docs.invidious.io/instances, the Piped
# instance list on its wiki). Any host whose first label is "invidious" or "piped" counts too,
# but only where a YouTube rule reads the path.
_FRONT_ENDS = (
    "yewtu.be", "invidio.us", "inv.nadeko.net", "inv.tux.pizza", "inv.riverside.rocks", "vid.puffyan.us",
    "iv.ggtyler.dev", "iv.melmac.space", "iv.datura.network", "yt.artemislena.eu", "y.com.sb",
    "invidious.snopyta.org", "invidious.kavin.rocks", "invidious.nerdvpn.de", "invidious.jing.rocks",
    "invidious.privacyredirect.com", "invidious.fdn.fr", "invidious.flokinet.to", "invidious.lunar.icu",
    "piped.video", "piped.kavin.rocks", "piped.adminforge.de", "piped.private.coffee", "piped.yt",
    "piped.mha.fi", "piped.projectsegfau.lt", "watch.leptons.xyz", "hooktube.com",
)  # fmt: skip

PLATFORM = Platform(
    name="youtube",
    hosts=("youtube.com", "youtu.be", "music.youtube.com", "youtube-nocookie.com", "gaming.youtube.com", "*.youtube.com",
           "youtube.googleapis.com", "youtubekids.com"),
    mirrors=_FRONT_ENDS,
    mirror_labels=("invidious", "piped"),
    redirects=(
        Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/redirect", param="q"),
        # Pages that stand between a visitor and a video carry it, often as a path.
        Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/(?:signin|das_captcha|logout)/?", param="next", base=_YOUTUBE),
        Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/(?:verify_age|verify_controversy|supported_browsers)/?",
                param="next_url", base=_YOUTUBE),
        Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/attribution_link/?", param="u", base=_YOUTUBE),
        Wrapper(hosts=("youtube.com", "www.youtube.com"), path=r"/oembed/?", param="url", base=_YOUTUBE),
        Wrapper(hosts=("consent.youtube.com", "consent.google.com"), path=r"/(?:m|ml|d|s)?/?", param="continue", base=_YOUTUBE),
        Wrapper(hosts=("accounts.google.com",), path=r"/(?:ServiceLogin|AccountChooser|signin/.*|v3/signin/.*|InteractiveLogin|Logout)/?",
                param="continue"),
    ),
    rules=(
        Rule("post", r"/(?:watch|watch_popup|movie|watch\.php|embed|details|ytscreeningroom)", "{id}", _WATCH, account=None,
             query={"v": _VIDEO}, lower=()),
        Rule("post", r"/watch", "{id}", _WATCH, account=None, fragment=rf"!?(?:[^#]*&)?v={_VIDEO}(?:&.*)?", lower=()),
        # The home page with a video: /?v=<id>, and the old AJAX form /#/watch?v=<id>.
        Rule("post", r"", "{id}", _WATCH, account=None, query={"v": _VIDEO}, lower=()),
        Rule("post", r"", "{id}", _WATCH, account=None, fragment=rf"!?/?watch\?(?:[^#]*&)?v={_VIDEO}(?:&.*)?", lower=()),
        Rule("post", rf"/{_VIDEO}(?:&.*)?", "{id}", _WATCH, account=None, hosts=("youtu.be",), lower=()),
        # Old channel pages played a video named in the fragment: /user/<name>#p/u/1/<video>.
        Rule("post", r"/(?:user|c)/[^/]+", "{id}", _WATCH, account=None, fragment=rf"p/(?:[^/]+/)*{_VIDEO}", lower=()),
        Rule("collection", r"/embed(?:/videoseries)?", "{list}", "https://www.youtube.com/playlist?list={list}",
             account=None, id="{list}", query={"list": r"[A-Za-z0-9_-]{2,64}"}, lower=()),
        Rule("post", rf"/(?:shorts|live|embed|v|e|video|watch)/(?!videoseries|live_stream){_VIDEO}(?:&.*)?", "{id}", _WATCH, account=None, lower=()),
        # YouTube Studio's pages of one video: /video/<id>/edit, /analytics, /comments, …
        Rule("post", rf"/video/{_VIDEO}/[a-z_/]+", "{id}", _WATCH, account=None, hosts=("studio.youtube.com",), lower=()),
        Rule("collection", r"/(?:playlist|view_play_list|watch_videos)", "{list}", "https://www.youtube.com/playlist?list={list}",
             account=None, id="{list}", query={"list": r"[A-Za-z0-9_-]{2,64}"}, lower=()),
        Rule("post", r"/post/(?P<id>Ug[A-Za-z0-9_-]+)", "post/{id}", "https://www.youtube.com/post/{id}", account=None, lower=()),
        Rule("post", r"/clip/(?P<id>Ug[A-Za-z0-9_-]+)", "clip/{id}", "https://www.youtube.com/clip/{id}", account=None, lower=()),
        Rule("account", rf"/@(?P<account>[A-Za-z0-9_.\-]{{3,30}}){_TABS}", "@{account}",
             "https://www.youtube.com/@{account}", id=None),
        Rule("account", rf"/channel/(?P<id>UC[A-Za-z0-9_-]{{22}}){_TABS}", "channel/{id}",
             "https://www.youtube.com/channel/{id}", account="{id}", lower=()),
        Rule("account", r"/(?:live_stream|embed/live_stream)", "channel/{id}", "https://www.youtube.com/channel/{id}", account="{id}",
             query={"channel": r"(?P<id>UC[A-Za-z0-9_-]{22})"}, lower=()),
        Rule("account", rf"/(?P<prefix>c|user)/(?P<account>[^/]+){_TABS}", "{prefix}/{account}",
             "https://www.youtube.com/{prefix}/{account}", id=None, lowercase=("prefix",)),
        # A custom name without /c/ reaches the same channel as /c/<name> (YouTube Help,
        # "Understand your channel URLs"): one key for both.
        Rule("account", rf"/{_RESERVED}(?P<account>[A-Za-z0-9][A-Za-z0-9_\-]{{0,99}}){_TABS}", "c/{account}",
             "https://www.youtube.com/c/{account}", id=None, hosts=("youtube.com",)),
        Rule("collection", r"/hashtag/(?P<id>[^/]+)", "hashtag/{id}", "https://www.youtube.com/hashtag/{id}", account=None, lower=("id",)),
        Rule("collection", r"/browse/(?P<id>(?:MPREb|VL|OLAK)[A-Za-z0-9_-]+)", "browse/{id}",
             "https://music.youtube.com/browse/{id}", account=None, hosts=("music.youtube.com",), lower=()),
    ),
)  # fmt: skip
