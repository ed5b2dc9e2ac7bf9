"""TamTam: channels and chats by name, their posts, and join links."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?!(?:join|login|download|about)(?:/|$))(?P<account>[A-Za-z][A-Za-z0-9_.]{2,})"

PLATFORM = Platform(
    name="tamtam",
    hosts=("tamtam.chat", "tt.me"),
    rules=(
        Rule("invite", r"/join/(?P<id>[A-Za-z0-9_\-]+)", "{id}", "https://tt.me/join/{id}", account=None, lower=()),
        Rule("post", rf"/{_NAME}/(?P<id>[A-Za-z0-9_\-]+)", "{account}/{id}", "https://tt.me/{account}/{id}",
             parents=("tamtam:account:{account}",)),
        Rule("account", rf"/{_NAME}", "{account}", "https://tt.me/{account}", id=None),
    ),
)  # fmt: skip
