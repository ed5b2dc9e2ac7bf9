"""Odysee (LBRY) URL shapes, expected values written by hand (names and claim ids invented)."""

SOURCES = {
    "lbry-urls": "LBRY URL specification (lbry.tech/spec, 'URLs'): @channel#claim/name#claim, written by odysee.com with ':' for '#'",
    "embed": "hand-made from Odysee's share dialog embed code: odysee.com/$/embed/<name>/<claim id>, and with the channel",
    "playlist": "hand-made: Odysee playlists (collections) shared as odysee.com/$/playlist/<claim id> and /$/list/<claim id>",
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
]  # fmt: skip
