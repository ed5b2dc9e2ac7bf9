"""WhatsApp: channels and their updates, group invites (chat.whatsapp.com), click-to-chat
numbers (wa.me, api.whatsapp.com/send); wa.me/message/ links are shorteners. Each host is its
own service, so a page no rule reads is keyed on its own host."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CHANNEL = r"(?P<account>[A-Za-z0-9]{20,40})"
_PHONE = r"(?P<id>[0-9]{6,15})"

PLATFORM = Platform(
    name="whatsapp",
    hosts=("whatsapp.com", "chat.whatsapp.com", "wa.me", "api.whatsapp.com", "web.whatsapp.com"),
    pages_on_own_host=True,  # wa.me/<x> and chat.whatsapp.com/<x> are not whatsapp.com/<x>
    rules=(
        Rule("post", rf"/channel/{_CHANNEL}/(?P<id>[0-9]+)", "channel/{account}/{id}", "https://whatsapp.com/channel/{account}/{id}",
             account="channel/{account}", parents=("whatsapp:account:channel/{account}",), lower=()),
        Rule("account", rf"/channel/{_CHANNEL}", "channel/{account}", "https://whatsapp.com/channel/{account}", account="channel/{account}",
             id=None, lower=()),
        Rule("invite", r"/(?:invite/)?(?P<id>[A-Za-z0-9]{15,30})", "{id}", "https://chat.whatsapp.com/{id}", account=None,
             hosts=("chat.whatsapp.com",), lower=()),
        Rule("page", r"/message/(?P<id>[A-Za-z0-9]+)", "message/{id}", "https://wa.me/message/{id}", account=None, hosts=("wa.me",),
             lower=(), flags=("needs_resolution",)),
        Rule("collection", rf"/c/{_PHONE}", "catalog/+{id}", "https://wa.me/c/{id}", account="+{id}", hosts=("wa.me",), lower=()),
        Rule("account", rf"/\+?{_PHONE}", "+{id}", "https://wa.me/{id}", account="+{id}", hosts=("wa.me",), lower=()),
        Rule("account", r"/send", "+{id}", "https://wa.me/{id}", account="+{id}", query={"phone": r"(?:%2B|\+)?" + _PHONE}, lower=()),
    ),
)  # fmt: skip
