"""VK URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "objects": "hand-made from vk.com's own links: wall<owner>_<id>, video…, clip…, photo…, doc…, album…; a negative owner is a community",
    "embed": "VK for developers, video player embed: vk.com/video_ext.php?oid=<owner>&id=<id>&hash=<hash>",
    "modal": "hand-made: an object opened over a page keeps the page in the path and names the object in ?w= or the ?z= modal parameter",
    "hosts": "hand-made: vkvideo.ru (VK Video's own site) and new.vk.com (the 2016 redesign's host) serve vk.com's paths",
    "accounts": "hand-made from vk.com community and profile links: public<id>, club<id>, id<id>, a short name, videos-<id>, vkvideo.ru/@<name>",
    "articles": "hand-made: VK articles, vk.com/@<community>-<article slug>",
    "away": "hand-made: vk.com/away.php?to=<URL>, VK's outbound link warning",
}

VIDEO = "vk:post:video-12345_456239017"

CASES = [
    ("https://vk.com/wall-12345_678", "vk:post:wall-12345_678", "-12345_678", "-12345", "objects"),
    ("https://vk.com/video-12345_456239017", VIDEO, "-12345_456239017", "-12345", "objects"),
    ("https://vk.com/clip-12345_456239017", "vk:post:clip-12345_456239017", "-12345_456239017", "-12345", "objects"),
    ("https://vk.com/photo-12345_456239017", "vk:post:photo-12345_456239017", "-12345_456239017", "-12345", "objects"),
    ("https://vk.com/doc-12345_678", "vk:file:doc-12345_678", "-12345_678", "-12345", "objects"),
    ("https://vk.com/album-12345_678", "vk:collection:album-12345_678", "-12345_678", "-12345", "objects"),
    ("https://vkvideo.ru/video-12345_456239017", VIDEO, "-12345_456239017", "-12345", "hosts"),
    ("https://new.vk.com/video-12345_456239017", VIDEO, "-12345_456239017", "-12345", "hosts"),
    ("https://vk.com/video_ext.php?oid=-12345&id=456239017&hash=abcdef0123456789", VIDEO, "-12345_456239017", "-12345", "embed"),
    ("https://vk.com/videos-12345?z=video-12345_456239017%2Fpl_-12345_-2", VIDEO, "-12345_456239017", "-12345", "modal"),
    ("https://vk.com/video?z=video-12345_456239017", VIDEO, "-12345_456239017", "-12345", "modal"),
    ("https://vk.com/loremclub?z=photo-12345_456239017%2Falbum-12345_00%2Frev", "vk:post:photo-12345_456239017", "-12345_456239017", "-12345",
     "modal"),
    ("https://vk.com/loremclub?w=wall-12345_678", "vk:post:wall-12345_678", "-12345_678", "-12345", "modal"),
    ("https://vk.com/clips-12345?z=clip-12345_456239017", "vk:post:clip-12345_456239017", "-12345_456239017", "-12345", "modal"),
    ("https://m.vk.com/public12345", "vk:account:club12345", "12345", "club12345", "accounts"),
    ("https://vk.com/id12345", "vk:account:id12345", "12345", "id12345", "accounts"),
    ("https://vk.com/videos-12345", "vk:account:club12345", "12345", "club12345", "accounts"),
    ("https://vk.com/loremclub", "vk:account:loremclub", None, "loremclub", "accounts"),
    ("https://vkvideo.ru/@loremclub", "vk:account:loremclub", None, "loremclub", "accounts"),
    ("https://vk.com/@loremclub-lorem-ipsum-article", "vk:post:@loremclub-lorem-ipsum-article", "lorem-ipsum-article", "loremclub",
     "articles"),
    ("https://vk.com/away.php?to=https%3A%2F%2Ft.me%2Florem_news%2F42&cc_key=", "telegram:post:lorem_news/42", "42", "lorem_news", "away"),
    ("https://vk.com/albums-12345", "vk:account:club12345", "12345", "club12345", "accounts"),
    ("https://vk.com/clips/loremclub", "vk:account:loremclub", None, "loremclub", "accounts"),
    ("https://vk.com/video/@loremclub", "vk:account:loremclub", None, "loremclub", "accounts"),
]  # fmt: skip
