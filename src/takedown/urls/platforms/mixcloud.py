"""Mixcloud: shows (uploads), playlists and accounts."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?!(?:discover|search|upload|settings|live|select|categories|about)(?:/|$))(?P<account>[A-Za-z0-9_\-]+)"
_TABS = r"(?!(?:uploads|favorites|listens|playlists|stream|followers|following|reposts|stats)$)"

PLATFORM = Platform(
    name="mixcloud",
    hosts=("mixcloud.com",),
    rules=(
        Rule("collection", rf"/{_NAME}/playlists/(?P<id>[A-Za-z0-9_\-]+)", "{account}/playlists/{id}",
             "https://www.mixcloud.com/{account}/playlists/{id}", parents=("mixcloud:account:{account}",), lower=("account", "id")),
        Rule("post", rf"/{_NAME}/{_TABS}(?P<id>[A-Za-z0-9_\-]+)", "{account}/{id}", "https://www.mixcloud.com/{account}/{id}",
             parents=("mixcloud:account:{account}",), lower=("account", "id")),
        Rule("account", rf"/{_NAME}(?:/(?:uploads|favorites|listens|playlists|stream|reposts))?", "{account}",
             "https://www.mixcloud.com/{account}", id=None),
    ),
)  # fmt: skip
