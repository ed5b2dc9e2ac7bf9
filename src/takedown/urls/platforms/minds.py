"""Minds: newsfeed posts, blogs, groups and channels."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?!(?:newsfeed|group|groups|discovery|search|settings|login|register|about)(?:/|$))(?P<account>[A-Za-z0-9_]{1,60})"

PLATFORM = Platform(
    name="minds",
    hosts=("minds.com",),
    rules=(
        Rule("post", r"/newsfeed/(?P<id>[0-9]+)", "{id}", "https://www.minds.com/newsfeed/{id}", account=None, lower=()),
        Rule("post", rf"/{_NAME}/blog/(?:[^/]*-)?(?P<id>[0-9]{{6,}})", "{id}", "https://www.minds.com/newsfeed/{id}",
             parents=("minds:account:{account}",)),
        Rule("account", r"/group/(?P<id>[0-9]+)(?:/.*)?", "group/{id}", "https://www.minds.com/group/{id}", account="group/{id}", lower=()),
        Rule("account", rf"/{_NAME}", "{account}", "https://www.minds.com/{account}", id=None),
    ),
)  # fmt: skip
