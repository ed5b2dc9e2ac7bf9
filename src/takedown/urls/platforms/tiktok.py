"""TikTok: videos and photo posts (also with an empty @ and on tiktokv.com share links),
accounts, sounds, tags, playlists; vm./vt. links are shorteners."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_NAME = r"@(?P<account>[A-Za-z0-9_.]{2,24})"
_ACCOUNT = "tiktok:account:{account}"

PLATFORM = Platform(
    name="tiktok",
    hosts=("tiktok.com", "tiktokv.com", "tiktokv.eu", "tiktokv.us", "*.tiktok.com", "*.tiktokv.com"),
    shorteners=("vm.tiktok.com", "vt.tiktok.com"),
    redirects=(Wrapper(hosts=("tiktok.com", "www.tiktok.com"), path=r"/login(?:/.*)?", param="redirect_url", base="https://www.tiktok.com"),),
    rules=(
        Rule("post", rf"/{_NAME}/(?P<media>video|photo)/(?P<id>[0-9]+)", "{id}", "https://www.tiktok.com/@{account}/{media}/{id}",
             parents=(_ACCOUNT,), lowercase=("media",)),
        # A post whose author the link leaves out: /@/video/<id> still opens it.
        Rule("post", r"/@/(?:video|photo)/(?P<id>[0-9]+)", "{id}", "https://www.tiktok.com/@/video/{id}", account=None, lower=()),
        Rule("post", r"/(?:embed(?:/v2)?|v|(?:i18n/)?share/video|player/v1|video)/(?P<id>[0-9]{8,})(?:\.html)?", "{id}",
             "https://www.tiktok.com/embed/v2/{id}", account=None, lower=()),
        Rule("collection", r"/music/(?:[^/]*-)?(?P<id>[0-9]{6,})", "music/{id}", "https://www.tiktok.com/music/-{id}", account=None, lower=()),
        Rule("collection", r"/tag/(?P<id>[^/]+)", "tag/{id}", "https://www.tiktok.com/tag/{id}", account=None, lower=("id",)),
        Rule("collection", rf"/{_NAME}/(?P<what>playlist|collection)/(?:[^/]*-)?(?P<id>[0-9]{{6,}})", "{what}/{id}",
             "https://www.tiktok.com/@{account}/{what}/-{id}", parents=(_ACCOUNT,), lowercase=("what",)),
        Rule("page", r"/t/(?P<id>[A-Za-z0-9]+)", "t/{id}", "https://www.tiktok.com/t/{id}", account=None, lower=(),
             flags=("needs_resolution",)),
        Rule("account", r"/(?:i18n/)?share/user/(?P<id>[0-9]+)", "id/{id}", "https://www.tiktok.com/share/user/{id}", account="id/{id}", lower=()),
        Rule("account", rf"/(?:embed/)?{_NAME}(?:/live)?", "{account}", "https://www.tiktok.com/@{account}", id=None),
    ),
)  # fmt: skip
