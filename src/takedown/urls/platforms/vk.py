"""VK (VKontakte): wall posts, videos (also video_ext.php players and vkvideo.ru), clips,
photos, documents, albums, playlists, articles, communities, users; an object opened over a page
(``?w=`` or the ``?z=`` modal) is that object."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_OBJ = r"(?P<type>wall|video|clip|photo|topic|audio|market|product|story|podcast)(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)"
_RESERVED = (
    r"(?!(?:feed|im|friends|groups|video|videos|music|audio|search|login|settings|away\.php|share\.php"
    r"|app|apps|market|services|support|dev|about|terms|privacy|wall|photo|doc|album|topic|clip|clips"
    r"|video_ext\.php|playlist|legal|blog|jobs|restore|join|mail|bugs|stickers|gifts|games)(?:/|$))"
)
_POST = "https://vk.com/{type}{owner}_{id}"

PLATFORM = Platform(
    name="vk",
    hosts=("vk.com", "vk.ru", "vkontakte.ru", "new.vk.com", "vkvideo.ru", "vk.me", "*.vk.com", "*.vk.ru", "*.vkvideo.ru"),
    shorteners=("vk.cc",),
    redirects=(Wrapper(hosts=("vk.com", "vk.ru"), path=r"/away\.php", param="to"),),
    rules=(
        Rule("post", rf"/{_OBJ}", "{type}{owner}_{id}", _POST, account="{owner}", id="{owner}_{id}", lower=(), lowercase=("type",)),
        Rule("post", r"(?:/.*)?", "{type}{owner}_{id}", _POST, account="{owner}", id="{owner}_{id}", query={"w": _OBJ + r"(?:(?:/|%2F).*)?"}, lower=(), lowercase=("type",)),
        Rule("post", r"(?:/.*)?", "{type}{owner}_{id}", _POST, account="{owner}", id="{owner}_{id}", query={"z": _OBJ + r".*"}, lower=(), lowercase=("type",)),
        Rule("post", r"/video_ext\.php", "video{owner}_{id}", "https://vk.com/video{owner}_{id}", account="{owner}", id="{owner}_{id}",
             query={"oid": r"(?P<owner>-?[0-9]+)", "id": r"(?P<id>[0-9]+)"}, lower=()),
        Rule("file", r"/doc(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)", "doc{owner}_{id}", "https://vk.com/doc{owner}_{id}", account="{owner}", id="{owner}_{id}", lower=()),
        Rule("collection", r"/(?P<type>album|videos|playlist|clips|audios|photos)(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)", "{type}{owner}_{id}",
             "https://vk.com/{type}{owner}_{id}", account="{owner}", id="{owner}_{id}", lower=(), lowercase=("type",)),
        Rule("collection", r"/(?:video/)?playlist/(?P<owner>-?[0-9]+)_(?P<id>[0-9]+)", "videos{owner}_{id}",
             "https://vk.com/videos{owner}_{id}", account="{owner}", id="{owner}_{id}", lower=()),
        Rule("post", r"/@(?P<account>[A-Za-z0-9_.]+)-(?P<id>[A-Za-z0-9_\-]+)", "@{account}-{id}", "https://vk.com/@{account}-{id}",
             parents=("vk:account:{account}",), lower=()),
        Rule("account", r"/(?:club|public|event)(?P<id>[0-9]+)", "club{id}", "https://vk.com/club{id}", account="club{id}", lower=()),
        Rule("account", r"/(?:videos|clips|audios|photos|albums|wall)-(?P<id>[0-9]+)", "club{id}", "https://vk.com/club{id}", account="club{id}", lower=()),
        Rule("account", r"/id(?P<id>[0-9]+)", "id{id}", "https://vk.com/id{id}", account="id{id}", lower=()),
        Rule("account", r"/(?:videos|clips|audios|photos|albums|wall)(?P<id>[0-9]+)", "id{id}", "https://vk.com/id{id}", account="id{id}", lower=()),
        Rule("account", r"/(?:video/@|clips/@?|@)(?!(?:club|public|event|id)[0-9]+(?:/|$))(?P<account>[A-Za-z][A-Za-z0-9_.]{1,31})(?:/.*)?", "{account}", "https://vk.com/{account}", id=None),
        Rule("account", rf"/{_RESERVED}(?P<account>[A-Za-z][A-Za-z0-9_.]{{1,31}})", "{account}", "https://vk.com/{account}", id=None),
    ),
)  # fmt: skip
