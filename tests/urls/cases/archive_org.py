"""archive.org URL shapes, expected values written by hand (identifiers invented)."""

SOURCES = {
    "items": "Internet Archive Help, 'Items' and 'Downloads': archive.org/details/<identifier>, /details/<identifier>/<file>, /download/<identifier>/<file>, /embed/<identifier>",
    "bookreader": "hand-made: the book reader's archive.org/details/<identifier>/page/<n>/mode/2up shows the item",
    "nodes": "hand-made: storage nodes that downloads redirect to, iaNNNNNN.us.archive.org/<n>/items/<identifier>/<file>",
    "wayback": "Internet Archive Help, 'Using the Wayback Machine': web.archive.org/web/<timestamp>[modifier_]/<URL>; a short timestamp is the nearest snapshot, '*' the calendar",
    "latest": "Internet Archive Help: web.archive.org/web/<URL> with no timestamp opens the latest snapshot",
    "accounts": "hand-made from archive.org uploader pages: archive.org/details/@<user>",
    "calendar": "review of issue 20: web/<timestamp>*/<URL> (the calendar around a timestamp) is the snapshot web/<timestamp>/<URL> names",
    "hashbang": "hand-made: a snapshot of a 2010 twitter.com/#!/<user>/status/<id> link, its route in the snapshot's fragment",
}

ITEM = "archive_org:post:lorem-ipsum-item"
FILE = "lorem-ipsum-item/lorem.mp4"

CASES = [
    ("https://archive.org/details/lorem-ipsum-item", ITEM, "lorem-ipsum-item", None, "items"),
    ("https://archive.org/details/lorem-ipsum-item/lorem.mp4", f"archive_org:post:{FILE}", FILE, None, "items", {"parents": (ITEM,)}),
    ("https://archive.org/details/lorem-ipsum-item/disc1/lorem.mp4", "archive_org:post:lorem-ipsum-item/disc1/lorem.mp4",
     "lorem-ipsum-item/disc1/lorem.mp4", None, "items", {"parents": (ITEM,)}),
    ("https://archive.org/embed/lorem-ipsum-item", ITEM, "lorem-ipsum-item", None, "items"),
    ("https://archive.org/details/lorem-ipsum-item/page/n5/mode/2up", ITEM, "lorem-ipsum-item", None, "bookreader"),
    ("https://archive.org/download/lorem-ipsum-item/lorem.mp4", f"archive_org:file:{FILE}", FILE, None, "items", {"parents": (ITEM,)}),
    ("https://ia800000.us.archive.org/12/items/lorem-ipsum-item/lorem.mp4", f"archive_org:file:{FILE}", FILE, None, "nodes",
     {"parents": (ITEM,)}),
    ("https://archive.org/details/@lorem_user", "archive_org:account:@lorem_user", None, "lorem_user", "accounts"),
    ("https://web.archive.org/web/20240101000000/https://t.me/lorem_news/42", "archive_org:page:web/20240101000000/telegram:post:lorem_news/42",
     "42", "lorem_news", "wayback",
     {"parents": ("telegram:post:lorem_news/42", "telegram:account:lorem_news"), "flags": ("archived_copy",)}),
    ("https://web.archive.org/web/2024/https://www.youtube.com/watch?v=aBcDeFgHi_0", "archive_org:page:web/2024/youtube:post:aBcDeFgHi_0",
     "aBcDeFgHi_0", None, "wayback", {"parents": ("youtube:post:aBcDeFgHi_0",)}),
    ("https://web.archive.org/web/*/https://t.me/lorem_news", "archive_org:page:web/*/telegram:account:lorem_news", None, "lorem_news", "wayback",
     {"parents": ("telegram:account:lorem_news",)}),
    ("https://web.archive.org/web/20240101000000id_/https://lorem.example.org/a", "archive_org:page:web/20240101000000/web:page:lorem.example.org/a",
     None, "example.org", "wayback", {"parents": ("web:page:lorem.example.org/a", "web:site:example.org")}),
    ("https://wayback.archive.org/web/20240101000000/https://x.com/LoremIpsum/status/1790000000000000001",
     "archive_org:page:web/20240101000000/x:post:1790000000000000001", "1790000000000000001", "loremipsum", "wayback",
     {"parents": ("x:post:1790000000000000001", "x:account:loremipsum")}),
    ("https://web.archive.org/web/20240101000000/https://vk.com/video-12345_456239017",
     "archive_org:page:web/20240101000000/vk:post:video-12345_456239017", "-12345_456239017", "-12345", "wayback",
     {"parents": ("vk:post:video-12345_456239017",)}),
    ("https://web.archive.org/web/https://t.me/lorem_news/42", "archive_org:page:web/telegram:post:lorem_news/42", "42", "lorem_news", "latest",
     {"parents": ("telegram:post:lorem_news/42", "telegram:account:lorem_news")}),
    ("https://web.archive.org/web/2024*/https://t.me/lorem_news/42", "archive_org:page:web/2024/telegram:post:lorem_news/42", "42",
     "lorem_news", "calendar", {"parents": ("telegram:post:lorem_news/42", "telegram:account:lorem_news")}),
    ("https://web.archive.org/web/20240101000000*/https://t.me/lorem_news/42", "archive_org:page:web/20240101000000/telegram:post:lorem_news/42",
     "42", "lorem_news", "calendar"),
    ("https://web.archive.org/web/2010/http://twitter.com/#!/LoremIpsum/status/1790000000000000001",
     "archive_org:page:web/2010/x:post:1790000000000000001", "1790000000000000001", "loremipsum", "hashbang",
     {"parents": ("x:post:1790000000000000001", "x:account:loremipsum")}),
]  # fmt: skip
