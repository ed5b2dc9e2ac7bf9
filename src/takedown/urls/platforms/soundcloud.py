"""SoundCloud: tracks, sets (playlists, albums) and artists; API links by number or URN; the
embedded player carries the URL it plays; on.soundcloud.com is a shortener."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = (
    r"(?!(?:discover|search|stream|upload|you|pages|charts|stations|settings|messages|notifications"
    r"|terms-of-use|pro|mobile|jobs|people|tags|tracks|playlists|users|resolve|feed|signin|connect|imprint|popular)(?:/|$))"
    r"(?P<account>[A-Za-z0-9_\-]+)"
)
_TABS = r"(?!(?:tracks|albums|sets|reposts|likes|followers|following|popular-tracks|comments|spotlight)$)"
_API = ("api.soundcloud.com", "api-v2.soundcloud.com", "api-widget.soundcloud.com")


def _object(what: str) -> str:
    """An API object's path: /tracks/<n>, or by URN, /tracks/soundcloud:tracks:<n>."""
    return rf"/{what}/(?:soundcloud(?::|%3A){what}(?::|%3A))?(?P<id>[0-9]+)(?:/.*)?"


PLATFORM = Platform(
    name="soundcloud",
    hosts=("soundcloud.com", *_API, "*.soundcloud.com"),
    shorteners=("on.soundcloud.com",),
    redirects=(Wrapper(hosts=("w.soundcloud.com",), path=r"/player/?", param="url"),),
    rules=(
        Rule("post", _object("tracks"), "tracks/{id}",
             "https://api.soundcloud.com/tracks/{id}", account=None, hosts=_API, lower=()),
        Rule("collection", _object("playlists"), "playlists/{id}",
             "https://api.soundcloud.com/playlists/{id}", account=None, hosts=_API, lower=()),
        Rule("account", _object("users"), "users/{id}",
             "https://api.soundcloud.com/users/{id}", account="users/{id}", hosts=_API, lower=()),
        Rule("collection", rf"/{_NAME}/sets/(?P<id>[A-Za-z0-9_\-]+)(?:/s-[A-Za-z0-9]+)?", "{account}/sets/{id}",
             "https://soundcloud.com/{account}/sets/{id}", parents=("soundcloud:account:{account}",), lower=("account", "id")),
        Rule("post", rf"/{_NAME}/{_TABS}(?P<id>[A-Za-z0-9_\-]+)(?:/s-[A-Za-z0-9]+)?", "{account}/{id}",
             "https://soundcloud.com/{account}/{id}", parents=("soundcloud:account:{account}",), lower=("account", "id")),
        Rule("account", rf"/{_NAME}(?:/(?:tracks|albums|sets|reposts|popular-tracks|likes|followers|following|comments))?", "{account}",
             "https://soundcloud.com/{account}", id=None),
    ),
)  # fmt: skip
