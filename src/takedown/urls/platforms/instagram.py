"""Instagram: posts, reels, IGTV, stories, highlights and accounts."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = r"(?P<account>[A-Za-z0-9_.]{1,30})"
_RESERVED = (
    r"(?!(?:explore|accounts|p|reel|reels|tv|stories|direct|about|legal|developer|web|challenge"
    r"|emails|session|privacy|terms)(?:/|$))"
)
_POST = "https://www.instagram.com/p/{id}"

PLATFORM = Platform(
    name="instagram",
    hosts=("instagram.com", "instagr.am", "ddinstagram.com"),
    redirects=(Wrapper(hosts=("l.instagram.com",), path=r"/?", param="u"),),
    rules=(
        Rule("post", r"/(?:p|reels?|tv)/(?P<id>[A-Za-z0-9_-]{5,})", "{id}", _POST, account=None, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/(?:p|reels?|tv)/(?P<id>[A-Za-z0-9_-]{{5,}})", "{id}", _POST,
             parents=("instagram:account:{account}",)),
        Rule("collection", r"/stories/highlights/(?P<id>[0-9]+)", "highlight/{id}",
             "https://www.instagram.com/stories/highlights/{id}", account=None, lower=()),
        Rule("post", rf"/stories/{_NAME}/(?P<id>[0-9]+)", "story/{id}", "https://www.instagram.com/stories/{account}/{id}",
             parents=("instagram:account:{account}",)),
        Rule("account", rf"/{_RESERVED}{_NAME}(?:/(?:reels|tagged|guides|channel|followers|following))?", "{account}",
             "https://www.instagram.com/{account}", id=None),
    ),
)  # fmt: skip
