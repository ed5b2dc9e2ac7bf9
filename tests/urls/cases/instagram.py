"""Instagram URL shapes, expected values written by hand (names and codes invented)."""

SOURCES = {
    "oembed": "Meta for Developers, 'Instagram oEmbed': post and reel URLs (/p/<code>/, /reel/<code>/), embeds /p/<code>/embed/ and /embed/captioned/",
    "profile": "Instagram Help, 'Share your profile': instagram.com/<username>",
    "tags": "hand-made from instagram.com's own hashtag and location pages: /explore/tags/<tag>/, /explore/locations/<id>/<slug>/",
    "reels-videos": "hand-made: instagram.com/reels/videos/<code>/ links of 2021-2022 reels, and /reels/<code>/",
    "stories": "hand-made from instagram.com story and highlight links: /stories/<user>/<id>/, /stories/highlights/<id>/",
    "login": "hand-made: instagram.com/accounts/login/?next=<path>, where a signed-out visitor lands; /challenge/?next=<path> after a security check",
    "capitals": "hand-made: a link written in capitals, as a QR code's alphanumeric mode (no lowercase letters) or caps lock leaves it",
    "fixer": "hand-made: ddinstagram.com serves Instagram's paths for chat embeds",
}

CODE = "CxAbC12dEf"
POST = f"instagram:post:{CODE}"

CASES = [
    (f"https://www.instagram.com/p/{CODE}/?igsh=AbCdEf", POST, CODE, None, "oembed"),
    (f"https://www.instagram.com/p/{CODE}/embed/captioned/", POST, CODE, None, "oembed"),
    (f"https://www.instagram.com/reel/{CODE}/embed", POST, CODE, None, "oembed"),
    (f"https://www.instagram.com/reels/videos/{CODE}/", POST, CODE, None, "reels-videos"),
    (f"https://www.instagram.com/reels/{CODE}/", POST, CODE, None, "reels-videos"),
    (f"https://www.instagram.com/tv/{CODE}", POST, CODE, None, "oembed"),
    (f"https://instagr.am/p/{CODE}/", POST, CODE, None, "oembed"),
    (f"https://www.instagram.com/lorem.ipsum/p/{CODE}/", POST, CODE, "lorem.ipsum", "oembed",
     {"parents": ("instagram:account:lorem.ipsum",)}),
    ("https://www.instagram.com/explore/tags/loremipsum/", "instagram:collection:tags/loremipsum", "loremipsum", None, "tags"),
    ("https://www.instagram.com/explore/locations/123456789/lorem-city/", "instagram:collection:locations/123456789", "123456789", None,
     "tags"),
    ("https://www.instagram.com/stories/lorem.ipsum/3123456789012345678/", "instagram:post:story/3123456789012345678",
     "3123456789012345678", "lorem.ipsum", "stories"),
    ("https://www.instagram.com/stories/highlights/17912345678901234/", "instagram:collection:highlight/17912345678901234",
     "17912345678901234", None, "stories"),
    ("https://www.instagram.com/stories/lorem.ipsum/", "instagram:account:lorem.ipsum", None, "lorem.ipsum", "stories"),
    (f"https://www.instagram.com/accounts/login/?next=%2Fp%2F{CODE}%2F", POST, CODE, None, "login", {"flags": ("unwrapped_redirect",)}),
    ("https://www.instagram.com/Lorem.Ipsum/reels/", "instagram:account:lorem.ipsum", None, "lorem.ipsum", "profile"),
    ("https://www.instagram.com/lorem.ipsum/tagged/", "instagram:account:lorem.ipsum", None, "lorem.ipsum", "profile"),
    (f"https://ddinstagram.com/p/{CODE}/", POST, CODE, None, "fixer", {"flags": ("mirror",)}),
    ("https://www.instagram.com/lorem.ipsum/saved/all-posts/", "instagram:account:lorem.ipsum", None, "lorem.ipsum", "profile"),
    (f"https://www.instagram.com/challenge/?next=/p/{CODE}/", POST, CODE, None, "login", {"flags": ("unwrapped_redirect",)}),
    (f"https://www.instagram.com/challenge/action/AbC123/?next=%2Freel%2F{CODE}%2F", POST, CODE, None, "login"),
    ("HTTPS://WWW.INSTAGRAM.COM/LOREM.IPSUM/", "instagram:account:lorem.ipsum", None, "lorem.ipsum", "capitals"),
    ("HTTPS://WWW.INSTAGRAM.COM/P/CXABC12DEF/", "instagram:post:CXABC12DEF", "CXABC12DEF", None, "capitals"),
]  # fmt: skip
