"""Kick URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "channel": "hand-made from kick.com channel pages and their tabs: /<channel>, /about, /videos, /clips; the chat pop-out and player.kick.com",
    "vod": "hand-made from kick.com past broadcasts: /<channel>/videos/<uuid>, /video/<uuid>",
    "clip": "hand-made from kick.com clip links: /<channel>?clip=clip_<id>, /<channel>/clips/clip_<id>",
}

UUID = "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
ACCOUNT = "kick:account:lorem-ipsum"

CASES = [
    ("https://kick.com/lorem-ipsum", ACCOUNT, None, "lorem-ipsum", "channel"),
    ("https://kick.com/Lorem-Ipsum/about", ACCOUNT, None, "lorem-ipsum", "channel"),
    ("https://kick.com/lorem-ipsum/videos", ACCOUNT, None, "lorem-ipsum", "channel"),
    ("https://kick.com/lorem-ipsum/clips", ACCOUNT, None, "lorem-ipsum", "channel"),
    ("https://kick.com/popout/lorem-ipsum/chat", ACCOUNT, None, "lorem-ipsum", "channel"),
    ("https://player.kick.com/lorem-ipsum", ACCOUNT, None, "lorem-ipsum", "channel"),
    (f"https://kick.com/lorem-ipsum/videos/{UUID}", f"kick:post:{UUID}", UUID, "lorem-ipsum", "vod", {"parents": (ACCOUNT,)}),
    (f"https://kick.com/video/{UUID}", f"kick:post:{UUID}", UUID, None, "vod"),
    ("https://kick.com/lorem-ipsum?clip=clip_01ABCDEF", "kick:post:clip_01ABCDEF", "clip_01ABCDEF", "lorem-ipsum", "clip"),
    ("https://kick.com/lorem-ipsum/clips/clip_01ABCDEF", "kick:post:clip_01ABCDEF", "clip_01ABCDEF", "lorem-ipsum", "clip"),
]  # fmt: skip
