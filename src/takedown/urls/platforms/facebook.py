"""Facebook: posts, permalinks, photos, videos, reels, pages, groups, profiles, events."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = r"(?P<account>[A-Za-z0-9.\-]{5,50})"
_RESERVED = (
    r"(?!(?:watch|groups|pages|events|marketplace|gaming|login|help|policies|privacy|settings"
    r"|home\.php|profile\.php|photo\.php|story\.php|permalink\.php|video\.php|l\.php|share|hashtag"
    r"|reel|reels|stories|people|photo|search|notifications|messages|friends|bookmarks|business"
    r"|legal|terms|media|sharer|sharer\.php|dialog|plugins)(?:/|$))"
)
_POST_ID = r"(?P<id>pfbid[A-Za-z0-9]+|[0-9]+)"
_ACCOUNT = "facebook:account:{account}"
_VIDEO = "https://www.facebook.com/watch?v={id}"

# Facebook's onion services (the current v3 address and the retired v2 one) are Facebook.
_ONIONS = (
    "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion",
    "facebookcorewwwi.onion",
)
_OWN = ("facebook.com", "*.facebook.com", *_ONIONS, *(f"*.{o}" for o in _ONIONS))

PLATFORM = Platform(
    name="facebook",
    hosts=("facebook.com", "*.facebook.com", "fb.com", *_ONIONS, *(f"*.{o}" for o in _ONIONS)),
    keep_subdomain=False,
    shorteners=("fb.me", "fb.watch"),
    redirects=(
        Wrapper(hosts=(*_OWN, "l.messenger.com"), path=r"/l\.php", param="u"),
        # The warning shown before an outside link ("You're leaving Facebook"): /flx/warn/?u=.
        Wrapper(hosts=(*_OWN, "l.messenger.com"), path=r"/flx/warn/?", param="u"),
        # The embedded player and post plugin carry the page they show; login pages where they lead.
        Wrapper(hosts=_OWN, path=r"/plugins/(?:video|post)\.php/?", param="href"),
        # The share dialogs carry what is being shared.
        Wrapper(hosts=_OWN, path=r"/sharer(?:/sharer\.php|\.php)?/?", param="u"),
        Wrapper(hosts=_OWN, path=r"/dialog/(?:share|feed)/?", param="href"),
        Wrapper(hosts=_OWN, path=r"/(?:login(?:\.php|/.*)?|checkpoint/.*)", param="next", base="https://www.facebook.com"),
    ),
    rules=(
        Rule("post", rf"/{_RESERVED}{_NAME}/posts/(?:[^/]+/)?{_POST_ID}", "{id}", "https://www.facebook.com/{account}/posts/{id}",
             parents=(_ACCOUNT,)),
        Rule("post", r"/(?:permalink|story)\.php", "{id}", "https://www.facebook.com/permalink.php?story_fbid={id}&id={account}",
             account="{account}", query={"story_fbid": _POST_ID, "id": r"(?P<account>[0-9]+)"}, parents=(_ACCOUNT,)),
        Rule("post", r"/groups/(?P<group>[A-Za-z0-9.\-]+)/(?:posts|permalink)/(?P<id>[0-9]+)", "{id}",
             "https://www.facebook.com/groups/{group}/posts/{id}", account="groups/{group}",
             parents=("facebook:account:groups/{group}",), lower=("group",)),
        Rule("post", r"/groups/(?P<group>[A-Za-z0-9.\-]+)", "{id}", "https://www.facebook.com/groups/{group}/posts/{id}",
             account="groups/{group}", query={"multi_permalinks": r"(?P<id>[0-9]+)(?:%2C.*|,.*)?"},
             parents=("facebook:account:groups/{group}",), lower=("group",)),
        Rule("post", r"/notes/(?:[^/]+/){0,2}(?P<id>[0-9]+)", "note/{id}", "https://www.facebook.com/notes/{id}", account=None, lower=()),
        Rule("post", r"/marketplace/item/(?P<id>[0-9]+)", "marketplace/{id}", "https://www.facebook.com/marketplace/item/{id}",
             account=None, lower=()),
        Rule("post", r"/photo(?:\.php)?", "photo/{id}", "https://www.facebook.com/photo/?fbid={id}", account=None,
             query={"fbid": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/photos/(?:[^/]+/)?(?P<id>[0-9]+)", "photo/{id}",
             "https://www.facebook.com/photo/?fbid={id}", parents=(_ACCOUNT,)),
        Rule("post", r"/(?:watch|watch/live|video\.php|video/video\.php)", "video/{id}", _VIDEO, account=None,
             query={"v": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("post", r"/video/embed", "video/{id}", _VIDEO, account=None, query={"video_id": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("post", r"/(?:reel|watch/live|videos)/(?P<id>[0-9]+)", "video/{id}", _VIDEO, account=None, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/videos/(?:[^/]+/)?(?P<id>[0-9]+)", "video/{id}", _VIDEO, parents=(_ACCOUNT,)),
        Rule("collection", r"/media/set", "set/{id}", "https://www.facebook.com/media/set/?set={id}", account=None,
             query={"set": r"(?P<id>[a-z]+\.[0-9]+)"}, lower=(), lowercase=("id",)),
        Rule("collection", r"/hashtag/(?P<id>[^/]+)", "hashtag/{id}", "https://www.facebook.com/hashtag/{id}", account=None, lower=("id",)),
        Rule("post", r"/events/(?P<id>[0-9]+)", "event/{id}", "https://www.facebook.com/events/{id}", account=None, lower=()),
        Rule("page", r"/share/(?P<type>[prv]|)/?(?P<id>[A-Za-z0-9]+)", "share/{id}", "https://www.facebook.com/share/{type}/{id}",
             account=None, lower=(), lowercase=("type",), flags=("needs_resolution",)),
        Rule("account", r"/profile\.php", "{id}", "https://www.facebook.com/profile.php?id={id}", account="{id}",
             query={"id": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("account", r"/(?:pages/(?:[^/]+/)?|people/[^/]+/|p/(?:[^/]*-)?)(?P<id>[0-9]{6,})", "{id}",
             "https://www.facebook.com/profile.php?id={id}", account="{id}", lower=()),
        Rule("account", r"/groups/(?P<group>[A-Za-z0-9.\-]+)", "groups/{group}", "https://www.facebook.com/groups/{group}",
             account="groups/{group}", id=None, lower=("group",)),
        Rule("account", rf"/{_RESERVED}{_NAME}(?:/(?:about|photos|videos|reels|posts|community|events|followers|friends))?",
             "{account}", "https://www.facebook.com/{account}", id=None),
    ),
)  # fmt: skip
