"""Odysee (LBRY): claims under a channel, channels, embeds, playlists; claim-id suffixes do not
change the key."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_CLAIM = r"(?::[0-9a-f]*|#[0-9a-f]*)?"

PLATFORM = Platform(
    name="odysee",
    hosts=("odysee.com", "lbry.tv", "open.lbry.com", "*.odysee.com"),
    rules=(
        Rule("collection", r"/\$/(?:playlist|list)/(?P<id>[0-9a-f]{6,40})", "playlist/{id}", "https://odysee.com/$/playlist/{id}",
             account=None, lower=("id",)),
        Rule("post", rf"/(?:\$/embed/)?@(?P<account>[^/:#@$]+){_CLAIM}/(?P<id>[^/:#@$]+){_CLAIM}", "@{account}/{id}",
             "https://odysee.com/@{account}/{id}", parents=("odysee:account:@{account}",), lower=()),
        Rule("account", rf"/@(?P<account>[^/:#@$]+){_CLAIM}", "@{account}", "https://odysee.com/@{account}", id=None, lower=()),
        # An embed names the claim and its id as two segments: /$/embed/<name>/<claim id>.
        Rule("post", r"/\$/embed/(?P<id>[^/:#@$][^/:#@]*)/[0-9a-f]{1,40}", "{id}", "https://odysee.com/{id}", account=None, lower=()),
        Rule("post", rf"/(?:\$/embed/)?(?P<id>[^/:#@$][^/:#@]*){_CLAIM}", "{id}", "https://odysee.com/{id}", account=None, lower=()),
    ),
)  # fmt: skip
