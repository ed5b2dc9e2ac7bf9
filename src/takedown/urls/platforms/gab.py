"""Gab: posts, groups and accounts."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?!(?:groups|home|explore|search|settings|notifications|about|hashtag|tags|auth)(?:/|$))(?P<account>[A-Za-z0-9_]{1,30})"

PLATFORM = Platform(
    name="gab",
    hosts=("gab.com", "gab.ai"),
    rules=(
        Rule("post", rf"/{_NAME}/posts/(?P<id>[0-9]+)", "{id}", "https://gab.com/{account}/posts/{id}", parents=("gab:account:{account}",)),
        Rule("account", r"/groups/(?P<id>[0-9]+)", "groups/{id}", "https://gab.com/groups/{id}", account="groups/{id}", lower=()),
        Rule("account", rf"/{_NAME}", "{account}", "https://gab.com/{account}", id=None),
    ),
)  # fmt: skip
