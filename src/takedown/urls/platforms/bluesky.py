"""Bluesky: posts, lists, feeds and profiles (by handle or DID)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_WHO = r"(?P<account>did:[a-z]+:[A-Za-z0-9._:%\-]+|[A-Za-z0-9.\-]+)"

PLATFORM = Platform(
    name="bluesky",
    hosts=("bsky.app", "staging.bsky.app"),
    rules=(
        Rule("post", rf"/profile/{_WHO}/post/(?P<id>[a-z0-9]+)", "{account}/{id}", "https://bsky.app/profile/{account}/post/{id}",
             parents=("bluesky:account:{account}",)),
        Rule("collection", rf"/profile/{_WHO}/(?P<what>lists|feed)/(?P<id>[a-z0-9]+)", "{account}/{what}/{id}",
             "https://bsky.app/profile/{account}/{what}/{id}", parents=("bluesky:account:{account}",), lowercase=("what",)),
        Rule("account", rf"/profile/{_WHO}", "{account}", "https://bsky.app/profile/{account}", id=None),
    ),
)  # fmt: skip
