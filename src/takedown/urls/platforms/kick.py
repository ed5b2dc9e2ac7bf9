"""Kick: past broadcasts, clips, channels and their sub-pages (about, videos, clips, chat)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = (
    r"(?!(?:video|categories|category|search|following|browse|clips|popout|terms-of-service|privacy-policy"
    r"|community-guidelines|dmca-policy|about|careers|help)(?:/|$))(?P<account>[A-Za-z0-9_\-]{3,25})"
)
_UUID = r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_ACCOUNT = "kick:account:{account}"

PLATFORM = Platform(
    name="kick",
    hosts=("kick.com", "player.kick.com"),
    rules=(
        Rule("post", rf"/{_NAME}/videos/{_UUID}", "{id}", "https://kick.com/{account}/videos/{id}", parents=(_ACCOUNT,), lowercase=("id",)),
        Rule("post", rf"/video/{_UUID}", "{id}", "https://kick.com/video/{id}", account=None, lower=(), lowercase=("id",)),
        Rule("post", rf"/{_NAME}/clips/(?P<id>clip_[A-Za-z0-9]+)", "{id}", "https://kick.com/{account}/clips/{id}",
             parents=(_ACCOUNT,)),
        Rule("post", r"/clips?/(?P<id>clip_[A-Za-z0-9]+)", "{id}", "https://kick.com/clips/{id}", account=None, lower=()),
        Rule("post", rf"/{_NAME}", "{id}", "https://kick.com/{account}/clips/{id}", query={"clip": r"(?P<id>clip_[A-Za-z0-9]+)"},
             parents=(_ACCOUNT,)),
        Rule("account", rf"/(?:popout/)?{_NAME}(?:/(?:about|videos|clips|chatroom|chat|schedule|links))?", "{account}",
             "https://kick.com/{account}", id=None),
    ),
)  # fmt: skip
