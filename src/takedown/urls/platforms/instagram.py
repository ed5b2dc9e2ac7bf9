"""Instagram: posts, reels (also /reels/videos/), IGTV, their embeds, stories, highlights, tag
and location pages, accounts; the login page carries where it leads; ddinstagram is a fixer
(flagged ``mirror``)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = r"(?P<account>[A-Za-z0-9_.]{1,30})"
_RESERVED = (
    r"(?!(?:explore|accounts|p|reel|reels|tv|stories|direct|about|legal|developer|web|challenge"
    r"|emails|session|privacy|terms|_u|_n|api|graphql|oauth|static|data|topics|lite|download|press)(?:/|$))"
)
_POST = "https://www.instagram.com/p/{id}"
# What may follow a post's id: its embed, a media redirect, a comment, the likers.
_TAIL = r"(?:/(?:embed(?:/captioned)?|media|liked_by|comments|c/[0-9]+(?:/r/[0-9]+)?))?"

PLATFORM = Platform(
    name="instagram",
    hosts=("instagram.com", "instagr.am", "*.instagram.com"),
    mirrors=("ddinstagram.com", "d.ddinstagram.com", "instagramez.com", "kkinstagram.com"),
    redirects=(
        Wrapper(hosts=("l.instagram.com",), path=r"/?", param="u"),
        Wrapper(hosts=("instagram.com", "www.instagram.com"), path=r"/(?:accounts/login|challenge)(?:/.*)?", param="next", base="https://www.instagram.com"),
    ),
    rules=(
        Rule("post", rf"/(?:p|reels?|tv|reels/videos)/(?P<id>[A-Za-z0-9_-]{{5,}}){_TAIL}", "{id}", _POST, account=None, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/(?:p|reels?|tv)/(?P<id>[A-Za-z0-9_-]{{5,}}){_TAIL}", "{id}", _POST,
             parents=("instagram:account:{account}",)),
        Rule("collection", r"/stories/highlights/(?P<id>[0-9]+)", "highlight/{id}",
             "https://www.instagram.com/stories/highlights/{id}", account=None, lower=()),
        Rule("post", rf"/stories/{_NAME}/(?P<id>[0-9]+)", "story/{id}", "https://www.instagram.com/stories/{account}/{id}",
             parents=("instagram:account:{account}",)),
        Rule("collection", r"/explore/tags/(?P<id>[^/]+)", "tags/{id}", "https://www.instagram.com/explore/tags/{id}",
             account=None, lower=("id",)),
        Rule("collection", r"/explore/locations/(?P<id>[0-9]+)(?:/[^/]*)?", "locations/{id}",
             "https://www.instagram.com/explore/locations/{id}", account=None, lower=()),
        Rule("collection", r"/reels/audio/(?P<id>[0-9]+)", "audio/{id}", "https://www.instagram.com/reels/audio/{id}",
             account=None, lower=()),
        Rule("account", rf"/(?:stories/|_u/|_n/)?{_RESERVED}{_NAME}(?:/(?:reels|tagged|guides|channel|followers|following|live|saved|feed|igtv|posts)(?:/.*)?)?",
             "{account}", "https://www.instagram.com/{account}", id=None),
    ),
)  # fmt: skip
