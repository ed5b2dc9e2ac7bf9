"""TikTok URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "embed": "TikTok for Developers, 'Embed Videos': tiktok.com/@<user>/video/<id> and the player tiktok.com/embed/v2/<id>",
    "creator": "TikTok for Developers, 'Embed Creator Profiles': tiktok.com/embed/@<user>",
    "share": "hand-made from TikTok's share sheet: vm.tiktok.com/<code>/, tiktok.com/t/<code>/, m.tiktok.com/v/<id>.html, tiktokv.com/share/video/<id>",
    "no-author": "hand-made: tiktok.com/@/video/<id>, a post link whose author is left out (it still opens the post)",
    "pages": "hand-made from tiktok.com's own pages: /@<user>/photo/<id>, /@<user>/live, /tag/<tag>, /music/<title>-<id>",
    "capitals": "hand-made: a link written in capitals, as a QR code's alphanumeric mode (no lowercase letters) or caps lock leaves it",
}

N = "7234567890123456789"
POST = f"tiktok:post:{N}"

CASES = [
    (f"https://www.tiktok.com/@lorem.ipsum/video/{N}?is_from_webapp=1", POST, N, "lorem.ipsum", "embed",
     {"parents": ("tiktok:account:lorem.ipsum",)}),
    (f"https://www.tiktok.com/@/video/{N}", POST, N, None, "no-author"),
    (f"https://www.tiktokv.com/share/video/{N}/", POST, N, None, "share"),
    (f"https://m.tiktok.com/v/{N}.html", POST, N, None, "share"),
    (f"https://www.tiktok.com/embed/v2/{N}", POST, N, None, "embed"),
    (f"https://www.tiktok.com/@lorem.ipsum/photo/{N}", POST, N, "lorem.ipsum", "pages"),
    ("https://www.tiktok.com/embed/@lorem.ipsum", "tiktok:account:lorem.ipsum", None, "lorem.ipsum", "creator"),
    ("https://www.tiktok.com/@Lorem.Ipsum/live", "tiktok:account:lorem.ipsum", None, "lorem.ipsum", "pages"),
    ("https://vm.tiktok.com/ZMabc123/", "tiktok:page:vm.tiktok.com/ZMabc123/", "ZMabc123", None, "share",
     {"flags": ("needs_resolution",)}),
    ("https://www.tiktok.com/t/ZTabc123/", "tiktok:page:t/ZTabc123", "ZTabc123", None, "share", {"flags": ("needs_resolution",)}),
    ("https://www.tiktok.com/tag/loremipsum", "tiktok:collection:tag/loremipsum", "loremipsum", None, "pages"),
    (f"https://www.tiktok.com/music/lorem-sound-{N}", f"tiktok:collection:music/{N}", N, None, "pages"),
    (f"https://www.tiktok.com/i18n/share/video/{N}/?_d=abc", POST, N, None, "share"),
    (f"HTTPS://WWW.TIKTOK.COM/@LOREM.IPSUM/VIDEO/{N}", POST, N, "lorem.ipsum", "capitals", {"parents": ("tiktok:account:lorem.ipsum",)}),
]  # fmt: skip
