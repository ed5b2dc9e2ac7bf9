"""SoundCloud: tracks, sets (playlists, albums) and artists; on.soundcloud.com is a shortener."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = (
    r"(?!(?:discover|search|stream|upload|you|pages|charts|stations|settings|messages|notifications"
    r"|terms-of-use|pro|mobile|jobs|people|tags)(?:/|$))(?P<account>[A-Za-z0-9_\-]+)"
)
_TABS = r"(?!(?:tracks|albums|sets|reposts|likes|followers|following|popular-tracks|comments|spotlight)$)"

PLATFORM = Platform(
    name="soundcloud",
    hosts=("soundcloud.com", "api.soundcloud.com"),
    shorteners=("on.soundcloud.com",),
    rules=(
        Rule("collection", rf"/{_NAME}/sets/(?P<id>[A-Za-z0-9_\-]+)", "{account}/sets/{id}", "https://soundcloud.com/{account}/sets/{id}",
             parents=("soundcloud:account:{account}",), lower=("account", "id")),
        Rule("post", rf"/{_NAME}/{_TABS}(?P<id>[A-Za-z0-9_\-]+)(?:/s-[A-Za-z0-9]+)?", "{account}/{id}",
             "https://soundcloud.com/{account}/{id}", parents=("soundcloud:account:{account}",), lower=("account", "id")),
        Rule("account", rf"/{_NAME}(?:/(?:tracks|albums|sets|reposts|popular-tracks))?", "{account}", "https://soundcloud.com/{account}", id=None),
    ),
)  # fmt: skip
