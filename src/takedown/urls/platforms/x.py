"""X (Twitter): posts, accounts (also as @handle and by numeric id), lists, spaces,
communities, moments; hash-bang (#!/) paths; t.co and pic.x.com are shorteners; embed fixers and
Nitter front-ends (flagged ``mirror``); the official onion service is X itself."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = r"@?(?P<account>[A-Za-z0-9_]{1,15})"
_RESERVED = (
    r"(?!@?(?:i|home|explore|search|settings|notifications|messages|intent|hashtag|login|logout"
    r"|signup|tos|privacy|compose|share|account|about|download|jobs|who_to_follow|statuses|lists|rules|pic)(?:/|$))"
)
_ACCOUNT = "x:account:{account}"
# What may follow a post's id: one of its photos or videos, its analytics, likes, quotes, edits.
_TAIL = r"(?:/(?:photo|video|analytics|likes|retweets|quotes|history|retweets/with_comments)(?:/[0-9]+)?)?"
# Nitter instances that are well known (the instance list on the Nitter wiki) and the embed
# fixers that serve X posts under their own hosts. Any host whose first label is "nitter"
# counts too, but only where an X rule reads the path.
_FRONT_ENDS = (
    "nitter.net", "nitter.poast.org", "nitter.privacydev.net", "nitter.lacontrevoie.fr", "nitter.1d4.us",
    "nitter.kavin.rocks", "nitter.it", "nitter.cz", "nitter.unixfox.eu", "nitter.fdn.fr", "nitter.space",
    "nitter.tiekoetter.com", "nitter.privacyredirect.com", "xcancel.com", "lightbrd.com", "twiiit.com",
    "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com", "twittpr.com",
)  # fmt: skip
_ONION = "twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid.onion"

PLATFORM = Platform(
    name="x",
    hosts=("x.com", "twitter.com", _ONION, "platform.twitter.com", "*.x.com", "*.twitter.com"),
    mirrors=_FRONT_ENDS,
    mirror_labels=("nitter",),
    shorteners=("t.co", "pic.twitter.com", "pic.x.com"),
    redirects=(
        Wrapper(hosts=("x.com", "twitter.com"), path=r"/(?:i/flow/login|login)/?", param="redirect_after_login", base="https://x.com"),
    ),
    rules=(
        Rule("post", rf"/(?:i/(?:web/)?status|statuses|i/videos(?:/tweet)?|i/cards/tfw/v1)/(?P<id>[0-9]+){_TAIL}", "{id}",
             "https://x.com/i/status/{id}", account=None, lower=()),
        Rule("post", r"/embed/Tweet\.html", "{id}", "https://x.com/i/status/{id}", account=None, query={"id": r"(?P<id>[0-9]+)"},
             hosts=("platform.twitter.com",), lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/status(?:es)?/(?P<id>[0-9]+){_TAIL}",
             "{id}", "https://x.com/{account}/status/{id}", parents=(_ACCOUNT,)),
        Rule("post", r"/intent/(?:like|retweet|tweet|post)", "{id}", "https://x.com/i/status/{id}", account=None,
             query={"tweet_id": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("post", r"/intent/(?:tweet|post)", "{id}", "https://x.com/i/status/{id}", account=None,
             query={"in_reply_to": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("collection", r"/i/lists/(?P<id>[0-9]+)(?:/members|/followers|/info)?", "lists/{id}", "https://x.com/i/lists/{id}",
             account=None, lower=()),
        Rule("collection", rf"/{_RESERVED}{_NAME}/lists/(?P<id>[A-Za-z0-9_\-]+)(?:/members|/followers)?", "lists/{account}/{id}",
             "https://x.com/{account}/lists/{id}", parents=(_ACCOUNT,), lower=("account", "id")),
        Rule("collection", r"/i/communities/(?P<id>[0-9]+)", "communities/{id}", "https://x.com/i/communities/{id}", account=None, lower=()),
        Rule("collection", r"/i/(?P<what>events|moments|topics)/(?P<id>[0-9]+)", "{what}/{id}", "https://x.com/i/{what}/{id}",
             account=None, lower=(), lowercase=("what",)),
        Rule("post", r"/i/(?P<what>spaces|broadcasts)/(?P<id>[A-Za-z0-9]+)(?:/peek)?", "{what}/{id}",
             "https://x.com/i/{what}/{id}", account=None, lower=(), lowercase=("what",)),
        Rule("collection", r"/hashtag/(?P<id>[^/]+)", "hashtag/{id}", "https://x.com/hashtag/{id}", account=None, lower=("id",)),
        Rule("account", r"/intent/(?:user|follow)", "{account}", "https://x.com/{account}", id=None,
             query={"screen_name": _NAME}),
        Rule("account", r"/intent/(?:user|follow)", "id/{id}", "https://x.com/i/user/{id}", account="id/{id}",
             query={"user_id": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("account", r"/i/user/(?P<id>[0-9]+)", "id/{id}", "https://x.com/i/user/{id}", account="id/{id}", lower=()),
        Rule("account", rf"/{_RESERVED}{_NAME}(?:/(?:media|with_replies|likes|highlights|articles|followers|following|verified_followers|lists|communities|superfollows|photo|header_photo))?",
             "{account}", "https://x.com/{account}", id=None),
    ),
)  # fmt: skip
