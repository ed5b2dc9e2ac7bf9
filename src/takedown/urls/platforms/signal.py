"""Signal: group invite links (signal.group/#…), contact links (signal.me/#p/…, #eu/…) and
sticker packs (signal.art/addstickers/#pack_id=…&pack_key=…).

Signal routes by the fragment. A group link's fragment is the invite itself, as a Telegram
invite's code is, so it is the key. A sticker pack's ``pack_key`` decrypts the pack: it is the
secret, kept out of the key and the canonical URL. The hosts are different services, not
aliases: a link that no rule reads is a page of its own host, its fragment kept in the key
(it is what the link opens).
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

# A fragment that no rule reads: kept, so that two such links do not become one item.
_ROUTE = r"(?P<route>[A-Za-z0-9_\-+/=.~:]{1,400})"

PLATFORM = Platform(
    name="signal",
    hosts=("signal.group", "signal.me", "signal.art", "signal.org"),
    pages_on_own_host=True,
    rules=(
        Rule("invite", r"", "{id}", "https://signal.group/#{id}", account=None, fragment=r"(?P<id>[A-Za-z0-9_\-]{20,400})",
             hosts=("signal.group",), lower=()),
        Rule("account", r"", "+{id}", "https://signal.me/#p/+{id}", account="+{id}",
             fragment=r"p/(?:\+|%2B)?(?P<id>[0-9]{6,15})", hosts=("signal.me",), lower=()),
        # A username link: #eu/<base64url>, however long the client made it.
        Rule("account", r"", "eu/{id}", "https://signal.me/#eu/{id}", account="eu/{id}", fragment=r"eu/(?P<id>[A-Za-z0-9_\-]{4,200})",
             hosts=("signal.me",), lower=()),
        Rule("collection", r"/addstickers", "stickers/{id}", "https://signal.art/addstickers/#pack_id={id}", account=None,
             fragment=r"pack_id=(?P<id>[0-9a-f]{32})(?:&pack_key=(?P<key>[0-9a-f]{64}))?.*", secret="key",
             hosts=("signal.art",), lower=("id",)),
        Rule("collection", r"/addstickers", "stickers/{id}", "https://signal.art/addstickers/#pack_id={id}", account=None,
             fragment=r"pack_key=(?P<key>[0-9a-f]{64})&pack_id=(?P<id>[0-9a-f]{32}).*", secret="key",
             hosts=("signal.art",), lower=("id",)),
        Rule("page", r"", "signal.me/#{route}", "https://signal.me/#{route}", account=None, id=None, fragment=_ROUTE,
             hosts=("signal.me",), lower=()),
        Rule("page", r"", "signal.group/#{route}", "https://signal.group/#{route}", account=None, id=None, fragment=_ROUTE,
             hosts=("signal.group",), lower=()),
    ),
)  # fmt: skip
