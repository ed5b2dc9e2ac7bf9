"""Discord: server invites (discord.gg, discord.com/invite), channels and messages, servers,
and files shared in channels (cdn.discordapp.com attachments)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CODE = r"(?P<id>[A-Za-z0-9\-]{2,32})"
_SNOWFLAKE = r"[0-9]{15,21}"
_ATTACHMENT = rf"/attachments/(?P<channel>{_SNOWFLAKE})/(?P<file>{_SNOWFLAKE})/(?P<name>[^/]+)"
_SIGNED = {"ex": r"[0-9a-f]+", "is": r"[0-9a-f]+", "hm": r"[0-9a-f]+"}

PLATFORM = Platform(
    name="discord",
    hosts=("discord.com", "discord.gg", "discordapp.com", "canary.discord.com", "ptb.discord.com", "cdn.discordapp.com",
           "media.discordapp.net", "discord.new"),
    rules=(
        Rule("invite", rf"/{_CODE}", "{id}", "https://discord.gg/{id}", account=None, hosts=("discord.gg",), lower=()),
        Rule("invite", rf"/invite/{_CODE}", "{id}", "https://discord.gg/{id}", account=None, lower=()),
        Rule("post", rf"/channels/(?P<guild>{_SNOWFLAKE}|@me)/(?P<channel>{_SNOWFLAKE})/(?P<id>{_SNOWFLAKE})",
             "{guild}/{channel}/{id}", "https://discord.com/channels/{guild}/{channel}/{id}", account="{guild}/{channel}",
             parents=("discord:account:{guild}/{channel}",), lower=()),
        Rule("account", rf"/channels/(?P<guild>{_SNOWFLAKE}|@me)/(?P<channel>{_SNOWFLAKE})", "{guild}/{channel}",
             "https://discord.com/channels/{guild}/{channel}", account="{guild}/{channel}", id=None,
             parents=("discord:account:{guild}",), lower=()),
        Rule("account", rf"/(?:channels/|servers/(?:[^/]*-)?)(?P<guild>{_SNOWFLAKE})", "{guild}", "https://discord.com/channels/{guild}",
             account="{guild}", id=None, lower=()),
        # Attachment links are signed since 2024 (ex, is, hm): the signature stays in the URL that
        # is fetched, never in the key.
        Rule("file", _ATTACHMENT, "attachments/{channel}/{file}", "https://cdn.discordapp.com/attachments/{channel}/{file}/{name}"
             "?ex={ex}&is={is}&hm={hm}", account=None, id="{file}", query=_SIGNED, lower=()),
        Rule("file", _ATTACHMENT, "attachments/{channel}/{file}", "https://cdn.discordapp.com/attachments/{channel}/{file}/{name}",
             account=None, id="{file}", lower=()),
    ),
)  # fmt: skip
