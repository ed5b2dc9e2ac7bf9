"""Odysee (LBRY): claims under a channel, channels; claim-id suffixes do not change the key."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CLAIM = r"(?::[0-9a-f]*|#[0-9a-f]*)?"

PLATFORM = Platform(
    name="odysee",
    hosts=("odysee.com", "lbry.tv"),
    rules=(
        Rule("post", rf"/@(?P<account>[^/:#@$]+){_CLAIM}/(?P<id>[^/:#@$]+){_CLAIM}", "@{account}/{id}",
             "https://odysee.com/@{account}/{id}", parents=("odysee:account:@{account}",), lower=()),
        Rule("account", rf"/@(?P<account>[^/:#@$]+){_CLAIM}", "@{account}", "https://odysee.com/@{account}", id=None, lower=()),
        Rule("post", rf"/(?:\$/embed/)?(?P<id>[^/:#@$][^/:#@]*){_CLAIM}", "{id}", "https://odysee.com/{id}", account=None, lower=()),
    ),
)  # fmt: skip
