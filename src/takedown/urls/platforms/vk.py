"""VK (VKontakte): wall posts, videos, clips, photos, documents, albums, communities, users."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_OBJ = r"(?P<type>wall|video|clip|photo|topic)(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)"
_RESERVED = (
    r"(?!(?:feed|im|friends|groups|video|music|audio|search|login|settings|away\.php|share\.php"
    r"|app|apps|market|services|support|dev|about|terms|privacy|wall|photo|doc|album|topic|clip)(?:/|$))"
)

PLATFORM = Platform(
    name="vk",
    hosts=("vk.com", "vk.ru", "vkontakte.ru", "vkvideo.ru"),
    shorteners=("vk.cc",),
    redirects=(Wrapper(hosts=("vk.com",), path=r"/away\.php", param="to"),),
    rules=(
        Rule("post", rf"/{_OBJ}", "{type}{owner}_{id}", "https://vk.com/{type}{owner}_{id}", account="{owner}", lower=()),
        Rule("post", r"/[A-Za-z0-9_.]*", "{type}{owner}_{id}", "https://vk.com/{type}{owner}_{id}", account="{owner}",
             query={"w": _OBJ}, lower=()),
        Rule("post", r"/[A-Za-z0-9_.]*", "{type}{owner}_{id}", "https://vk.com/{type}{owner}_{id}", account="{owner}",
             query={"z": _OBJ + r".*"}, lower=()),
        Rule("file", r"/doc(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)", "doc{owner}_{id}", "https://vk.com/doc{owner}_{id}", account="{owner}", lower=()),
        Rule("collection", r"/(?P<type>album|videos|playlist)(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)", "{type}{owner}_{id}",
             "https://vk.com/{type}{owner}_{id}", account="{owner}", lower=()),
        Rule("account", r"/(?:club|public|event)(?P<id>[0-9]+)", "club{id}", "https://vk.com/club{id}", account="club{id}", lower=()),
        Rule("account", r"/id(?P<id>[0-9]+)", "id{id}", "https://vk.com/id{id}", account="id{id}", lower=()),
        Rule("account", rf"/{_RESERVED}(?P<account>[A-Za-z][A-Za-z0-9_.]{{1,31}})", "{account}", "https://vk.com/{account}", id=None),
    ),
)  # fmt: skip
