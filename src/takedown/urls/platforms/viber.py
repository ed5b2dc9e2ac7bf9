"""Viber: group and channel invites (invite.viber.com/?g2=…, the older ?g=…), communities and
channels by name (chats.viber.com/<name>, viber.com/<name>); vb.me/<name> links redirect to
one of them (a shortener). Each host is its own service: a page no rule reads is keyed on its
own host. ``viber://`` deep links are refused with the reason (docs/urls.md, "Bad input")."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CODE = r"[A-Za-z0-9_\-]{4,200}"

PLATFORM = Platform(
    name="viber",
    hosts=("viber.com", "invite.viber.com", "chats.viber.com"),
    shorteners=("vb.me",),
    pages_on_own_host=True,
    rules=(
        Rule("invite", r"", "{id}", "https://invite.viber.com/?g2={id}", account=None, query={"g2": rf"(?P<id>{_CODE})"},
             hosts=("invite.viber.com",), lower=()),
        Rule("invite", r"", "g/{id}", "https://invite.viber.com/?g={id}", account=None, query={"g": rf"(?P<id>{_CODE})"},
             hosts=("invite.viber.com",), lower=()),
        Rule("account", r"/(?P<account>[A-Za-z0-9_.\-]{2,60})", "{account}", "https://chats.viber.com/{account}", id=None,
             hosts=("chats.viber.com",)),
        Rule("account", r"/(?:[a-z]{2}/)?(?:channel|community)/(?P<account>[A-Za-z0-9_.\-]{2,60})", "{account}",
             "https://chats.viber.com/{account}", id=None, hosts=("viber.com",)),
    ),
)  # fmt: skip
