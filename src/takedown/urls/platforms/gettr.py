"""GETTR: posts, comments, streams and users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="gettr",
    hosts=("gettr.com",),
    rules=(
        Rule("post", r"/(?:post|streaming)/(?P<id>p[a-z0-9]+)", "{id}", "https://gettr.com/post/{id}", account=None, lower=("id",)),
        Rule("post", r"/comment/(?P<id>c[a-z0-9]+)", "{id}", "https://gettr.com/comment/{id}", account=None, lower=("id",)),
        Rule("account", r"/user/(?P<account>[A-Za-z0-9_]+)", "{account}", "https://gettr.com/user/{account}", id=None),
    ),
)  # fmt: skip
