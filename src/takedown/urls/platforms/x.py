"""X (Twitter): posts, accounts, lists, spaces, communities; t.co is a shortener."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?P<account>[A-Za-z0-9_]{1,15})"
_RESERVED = (
    r"(?!(?:i|home|explore|search|settings|notifications|messages|intent|hashtag|login|logout"
    r"|signup|tos|privacy|compose|share|account|about|download|jobs|who_to_follow)(?:/|$))"
)

PLATFORM = Platform(
    name="x",
    hosts=("x.com", "twitter.com", "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com", "nitter.net"),
    shorteners=("t.co",),
    rules=(
        Rule("post", r"/i/(?:web/)?status/(?P<id>[0-9]+)", "{id}", "https://x.com/i/status/{id}", account=None, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/status(?:es)?/(?P<id>[0-9]+)(?:/(?:photo|video|analytics|likes|retweets|quotes|history)(?:/[0-9]+)?)?",
             "{id}", "https://x.com/{account}/status/{id}", parents=("x:account:{account}",)),
        Rule("collection", r"/i/lists/(?P<id>[0-9]+)(?:/members|/followers)?", "lists/{id}", "https://x.com/i/lists/{id}", account=None, lower=()),
        Rule("collection", r"/i/communities/(?P<id>[0-9]+)", "communities/{id}", "https://x.com/i/communities/{id}", account=None, lower=()),
        Rule("post", r"/i/(?P<what>spaces|broadcasts)/(?P<id>[A-Za-z0-9]+)(?:/peek)?", "{what}/{id}",
             "https://x.com/i/{what}/{id}", account=None, lower=()),
        Rule("account", r"/intent/(?:user|follow)", "{account}", "https://x.com/{account}", id=None,
             query={"screen_name": _NAME}),
        Rule("account", rf"/{_RESERVED}{_NAME}(?:/(?:media|with_replies|likes|highlights|articles|followers|following|verified_followers))?",
             "{account}", "https://x.com/{account}", id=None),
    ),
)  # fmt: skip
