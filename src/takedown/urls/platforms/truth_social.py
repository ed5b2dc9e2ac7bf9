"""Truth Social: posts ("truths") and accounts, in web and Mastodon-style paths."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?P<account>[A-Za-z0-9_]{1,30})"

PLATFORM = Platform(
    name="truth_social",
    hosts=("truthsocial.com",),
    rules=(
        Rule("post", rf"/(?:@{_NAME}(?:/posts)?)/(?P<id>[0-9]+)", "{id}",
             "https://truthsocial.com/@{account}/posts/{id}", parents=("truth_social:account:{account}",)),
        Rule("post", rf"/users/{_NAME}/statuses/(?P<id>[0-9]+)", "{id}",
             "https://truthsocial.com/@{account}/posts/{id}", parents=("truth_social:account:{account}",)),
        Rule("account", rf"/@{_NAME}", "{account}", "https://truthsocial.com/@{account}", id=None),
    ),
)  # fmt: skip
