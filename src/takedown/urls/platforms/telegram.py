"""Telegram: channels, groups and bots by username, their posts, private posts, invites."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

# A username: 3-32 letters, digits and underscores, starting with a letter (5 for new names).
_NAME = r"(?P<account>[A-Za-z][A-Za-z0-9_]{2,31})"
# Paths that look like names but are Telegram's own pages.
_RESERVED = (
    r"(?!(?:joinchat|addstickers|addemoji|addtheme|addlist|share|proxy|socks|login|setlanguage"
    r"|confirmphone|invoice|boost|contact|giftcode|iv)(?:/|$))"
)
_ACCOUNT = "telegram:account:{account}"

PLATFORM = Platform(
    name="telegram",
    hosts=("t.me", "*.t.me", "telegram.me", "telegram.dog", "telesco.pe"),
    redirects=(
        Wrapper(hosts=("t.me",), path=r"/iv", param="url"),
        Wrapper(hosts=("t.me",), path=r"/(?:share(?:/url)?|msg)", param="url"),
    ),
    rules=(
        # Invites, also with the web preview's "/s/" before or after the marker, as people paste them.
        Rule("invite", r"/(?:s/)?joinchat/(?:s/)?(?P<id>[A-Za-z0-9_-]+)", "{id}", "https://t.me/+{id}", account=None, lower=()),
        # "+" followed by digits only is a phone number, not an invite.
        Rule("account", r"/\+(?P<id>[0-9]{5,15})", "+{id}", "https://t.me/+{id}", account="+{id}", id=None, lower=()),
        Rule("invite", r"/(?:s/)?(?:\+|%2B)(?P<id>[A-Za-z0-9_-]+)(?:/s)?", "{id}", "https://t.me/+{id}", account=None, lower=()),
        Rule("account", rf"/boost/{_NAME}", "{account}", "https://t.me/{account}", id=None),
        Rule("invite", r"/addlist/(?P<id>[A-Za-z0-9_-]+)", "addlist/{id}", "https://t.me/addlist/{id}", account=None, lower=()),
        Rule("collection", r"/(?P<set>addstickers|addemoji|addtheme)/(?P<id>[A-Za-z0-9_]+)", "{set}/{id}", "https://t.me/{set}/{id}", account=None, lower=(), lowercase=("set",)),
        # Private channels and groups: /c/<chat>/<post>, optionally with a topic in between.
        Rule("post", r"/c/(?P<chat>[0-9]+)(?:/[0-9]+)?/(?P<id>[0-9]+)", "c/{chat}/{id}", "https://t.me/c/{chat}/{id}",
             account="c/{chat}", parents=("telegram:account:c/{chat}",), lower=()),
        Rule("account", r"/c/(?P<chat>[0-9]+)", "c/{chat}", "https://t.me/c/{chat}", account="c/{chat}", id=None, lower=()),
        Rule("post", rf"/{_RESERVED}{_NAME}/s/(?P<id>[0-9]+)", "{account}/s/{id}", "https://t.me/{account}/s/{id}",
             parents=(_ACCOUNT,)),
        # Public posts: /<name>/<id>, /s/<name>/<id>, /<name>/<topic>/<id>.
        Rule("post", rf"/(?:s/)?{_RESERVED}{_NAME}(?:/[0-9]+)?/(?P<id>[0-9]+)", "{account}/{id}",
             "https://t.me/{account}/{id}", parents=(_ACCOUNT,)),
        Rule("account", rf"/(?:s/)?{_RESERVED}{_NAME}", "{account}", "https://t.me/{account}", id=None),
        Rule("account", r"", "{sub}", "https://t.me/{sub}", account="{sub}", id=None, hosts=("*.t.me",), lower=("sub",),
             sub=r"[A-Za-z][A-Za-z0-9_]{2,31}"),
    ),
)  # fmt: skip
