"""Odysee (LBRY) URL shapes, expected values written by hand (names and claim ids invented)."""

SOURCES = {
    "lbry-urls": "LBRY URL specification (lbry.tech/spec, 'URLs'): @channel#claim/name#claim, written by odysee.com with ':' for '#'",
    "embed": "hand-made from Odysee's share dialog embed code: odysee.com/$/embed/<name>/<claim id>, and with the channel",
    "playlist": "hand-made: Odysee playlists (collections) shared as odysee.com/$/playlist/<claim id> and /$/list/<claim id>",
    "encoded": "review of issue 20: the whole claim path percent-encoded by a share tool, odysee.com/%40<channel>%3A<claim>%2F<name>%3A<claim>",
    "unicode": "LBRY URL specification: a claim name may hold any letter; outside ASCII it is percent-encoded UTF-8 in the URL",
}

CLAIM = "0123456789abcdef0123456789abcdef01234567"
POST = "odysee:post:@LoremChannel/lorem-video"

CASES = [
    ("https://odysee.com/@LoremChannel:a/lorem-video:b", POST, "lorem-video", "LoremChannel", "lbry-urls",
     {"parents": ("odysee:account:@LoremChannel",)}),
    ("https://odysee.com/@LoremChannel:a1/lorem-video:b2?r=AbCdEf", POST, "lorem-video", "LoremChannel", "lbry-urls"),
    ("https://lbry.tv/@LoremChannel:a/lorem-video:b", POST, "lorem-video", "LoremChannel", "lbry-urls"),
    ("https://odysee.com/@LoremChannel:a", "odysee:account:@LoremChannel", None, "LoremChannel", "lbry-urls"),
    ("https://odysee.com/lorem-video:b", "odysee:post:lorem-video", "lorem-video", None, "lbry-urls"),
    (f"https://odysee.com/$/embed/lorem-video/{CLAIM}", "odysee:post:lorem-video", "lorem-video", None, "embed"),
    ("https://odysee.com/$/embed/@LoremChannel:a/lorem-video:b", POST, "lorem-video", "LoremChannel", "embed"),
    (f"https://odysee.com/$/playlist/{CLAIM}", f"odysee:collection:playlist/{CLAIM}", CLAIM, None, "playlist"),
    (f"https://odysee.com/$/list/{CLAIM}", f"odysee:collection:playlist/{CLAIM}", CLAIM, None, "playlist"),
    ("https://odysee.com/%40Chan%3Aa%2Fvid%3Ab", "odysee:post:@Chan/vid", "vid", "Chan", "encoded", {"parents": ("odysee:account:@Chan",)}),
    ("https://odysee.com/%40LoremChannel%3Aa", "odysee:account:@LoremChannel", None, "LoremChannel", "encoded"),
    ("https://odysee.com/@%D0%9B%D0%BE%D1%80%D0%B5%D0%BC:a/%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE:b",
     "odysee:post:@%D0%9B%D0%BE%D1%80%D0%B5%D0%BC/%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE", "%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE",
     "%D0%9B%D0%BE%D1%80%D0%B5%D0%BC", "unicode"),
]  # fmt: skip
