"""Dropbox: shared files (/s/, /scl/fi/, their /e/ embeds) and shared folders (/sh/, /scl/fo/)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="dropbox",
    hosts=("dropbox.com", "dl.dropboxusercontent.com", "dl.dropbox.com"),
    rules=(
        Rule("file", r"/(?:e/)?s/(?P<id>[A-Za-z0-9]+)/(?P<name>[^/]+)", "s/{id}", "https://www.dropbox.com/s/{id}/{name}", account=None, lower=()),
        Rule("file", r"/(?:e/)?s/(?P<id>[A-Za-z0-9]+)", "s/{id}", "https://www.dropbox.com/s/{id}", account=None, lower=()),
        Rule("file", r"/(?:e/)?scl/fi/(?P<id>[A-Za-z0-9]+)/(?P<name>[^/]+)", "scl/fi/{id}",
             "https://www.dropbox.com/scl/fi/{id}/{name}?rlkey={rlkey}", account=None, query={"rlkey": r"[A-Za-z0-9]+"}, lower=()),
        Rule("file", r"/(?:e/)?scl/fi/(?P<id>[A-Za-z0-9]+)(?:/[^/]+)?", "scl/fi/{id}", "https://www.dropbox.com/scl/fi/{id}", account=None, lower=()),
        Rule("collection", r"/(?:e/)?scl/fo/(?P<id>[A-Za-z0-9]+)(?:/.*)?", "scl/fo/{id}", "https://www.dropbox.com/scl/fo/{id}", account=None, lower=()),
        Rule("collection", r"/(?:e/)?sh/(?P<id>[A-Za-z0-9]+)/(?P<part>[A-Za-z0-9_\-]+)(?:/.*)?", "sh/{id}/{part}",
             "https://www.dropbox.com/sh/{id}/{part}", account=None, lower=()),
    ),
)  # fmt: skip
