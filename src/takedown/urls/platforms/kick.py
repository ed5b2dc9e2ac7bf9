"""Kick: past broadcasts, clips and channels."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"(?!(?:video|categories|search|following|browse)(?:/|$))(?P<account>[A-Za-z0-9_\-]{3,25})"
_UUID = r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

PLATFORM = Platform(
    name="kick",
    hosts=("kick.com",),
    rules=(
        Rule("post", rf"/{_NAME}/videos/{_UUID}", "{id}", "https://kick.com/{account}/videos/{id}", parents=("kick:account:{account}",)),
        Rule("post", rf"/video/{_UUID}", "{id}", "https://kick.com/video/{id}", account=None, lower=()),
        Rule("post", rf"/{_NAME}/clips/(?P<id>clip_[A-Za-z0-9]+)", "{id}", "https://kick.com/{account}/clips/{id}",
             parents=("kick:account:{account}",)),
        Rule("post", rf"/{_NAME}", "{id}", "https://kick.com/{account}/clips/{id}", query={"clip": r"(?P<id>clip_[A-Za-z0-9]+)"},
             parents=("kick:account:{account}",)),
        Rule("account", rf"/{_NAME}", "{account}", "https://kick.com/{account}", id=None),
    ),
)  # fmt: skip
