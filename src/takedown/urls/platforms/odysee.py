"""Odysee (LBRY): claims under a channel, channels, embeds, playlists; claim-id suffixes do not
change the key.

A claim name holds no ``@ : # $ / %`` (LBRY URL specification), so a name written with an
escape of one of them (``%40Chan%3Aa%2Fvid%3Ab``, the whole path encoded by a share tool) is
read decoded; escapes of non-ASCII letters (``%D0%9A…``) are part of the name.
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CLAIM = r"(?::[0-9a-f]*|#[0-9a-f]*)?"
# One character of a name: not a separator, or an escaped UTF-8 byte of a non-ASCII letter.
_C = r"(?:[^/:#@$%]|%[89A-F][0-9A-F])"
_C_NOT_FIRST = r"(?:[^/:#@%]|%[89A-F][0-9A-F])"

PLATFORM = Platform(
    name="odysee",
    hosts=("odysee.com", "lbry.tv", "open.lbry.com", "*.odysee.com"),
    rules=(
        Rule("collection", r"/\$/(?:playlist|list)/(?P<id>[0-9a-f]{6,40})", "playlist/{id}", "https://odysee.com/$/playlist/{id}",
             account=None, lower=("id",)),
        Rule("post", rf"/(?:\$/embed/)?@(?P<account>{_C}+){_CLAIM}/(?P<id>{_C}+){_CLAIM}", "@{account}/{id}",
             "https://odysee.com/@{account}/{id}", parents=("odysee:account:@{account}",), lower=()),
        Rule("account", rf"/@(?P<account>{_C}+){_CLAIM}", "@{account}", "https://odysee.com/@{account}", id=None, lower=()),
        # An embed names the claim and its id as two segments: /$/embed/<name>/<claim id>.
        Rule("post", rf"/\$/embed/(?P<id>{_C}{_C_NOT_FIRST}*)/[0-9a-f]{{1,40}}", "{id}", "https://odysee.com/{id}", account=None, lower=()),
        Rule("post", rf"/(?:\$/embed/)?(?P<id>{_C}{_C_NOT_FIRST}*){_CLAIM}", "{id}", "https://odysee.com/{id}", account=None, lower=()),
    ),
)  # fmt: skip
