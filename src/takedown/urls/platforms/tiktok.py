"""TikTok: videos and photo posts, accounts, sounds; vm./vt. links are shorteners."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"@(?P<account>[A-Za-z0-9_.]{2,24})"

PLATFORM = Platform(
    name="tiktok",
    hosts=("tiktok.com",),
    shorteners=("vm.tiktok.com", "vt.tiktok.com"),
    rules=(
        Rule("post", rf"/{_NAME}/(?P<media>video|photo)/(?P<id>[0-9]+)", "{id}", "https://www.tiktok.com/@{account}/{media}/{id}",
             parents=("tiktok:account:{account}",)),
        Rule("post", r"/(?:embed(?:/v2)?|v|share/video|player/v1)/(?P<id>[0-9]{8,})(?:\.html)?", "{id}",
             "https://www.tiktok.com/embed/v2/{id}", account=None, lower=()),
        Rule("collection", r"/music/(?:[^/]*-)?(?P<id>[0-9]{6,})", "music/{id}", "https://www.tiktok.com/music/-{id}", account=None, lower=()),
        Rule("page", r"/t/(?P<id>[A-Za-z0-9]+)", "t/{id}", "https://www.tiktok.com/t/{id}", account=None, lower=(),
             flags=("needs_resolution",)),
        Rule("account", rf"/{_NAME}", "{account}", "https://www.tiktok.com/@{account}", id=None),
    ),
)  # fmt: skip
