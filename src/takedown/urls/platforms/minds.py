"""Minds: newsfeed posts, media, blogs, groups and channels."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = (
    r"(?!(?:newsfeed|group|groups|discovery|search|settings|login|register|about|media|blog|archive|wallet|boost"
    r"|notifications|messenger|p|help|canary|pro|plus|network|channels)(?:/|$))(?P<account>[A-Za-z0-9_]{1,60})"
)

PLATFORM = Platform(
    name="minds",
    hosts=("minds.com",),
    rules=(
        Rule("post", r"/(?:newsfeed|media|blog/view|archive/view)/(?P<id>[0-9]+)(?:/[^/]*)?", "{id}", "https://www.minds.com/newsfeed/{id}",
             account=None, lower=()),
        Rule("post", rf"/{_NAME}/blog/(?:[^/]*-)?(?P<id>[0-9]{{6,}})", "{id}", "https://www.minds.com/newsfeed/{id}",
             parents=("minds:account:{account}",)),
        Rule("account", r"/(?:group|groups/profile)/(?P<id>[0-9]+)(?:/.*)?", "group/{id}", "https://www.minds.com/group/{id}", account="group/{id}", lower=()),
        Rule("account", rf"/{_NAME}(?:/(?:about|blogs|groups|subscribers|subscriptions|supporters|videos|images|articles|channel))?",
             "{account}", "https://www.minds.com/{account}", id=None),
    ),
)  # fmt: skip
