"""Signal URL shapes, expected values written by hand (links and keys invented)."""

SOURCES = {
    "groups": "Signal Support, 'Group Links': signal.group/#<invite>",
    "usernames": "Signal blog 2024-02-20, 'Keep your phone number private with Signal usernames': a username's QR code or link, signal.me/#eu/<…>",
    "phone": "hand-made: the contact link older Signal clients share, signal.me/#p/+<number>",
    "stickers": "Signal blog 2019-12-18, 'Make privacy stick': signal.art/addstickers/#pack_id=<id>&pack_key=<key>",
    "review": "review of issue 20: signal.me/#eu/<short code> was keyed on signal.group; a link no rule reads keeps its own host and its fragment",
    "encoded": "hand-made: a sticker link whose '#' and '&' a share tool percent-encoded (%23, %26)",
}

GROUP = "CjQKIAbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlEhA"
PACK, PACK_KEY = "0123456789abcdef0123456789abcdef", "fedcba9876543210" * 4

CASES = [
    (f"https://signal.group/#{GROUP}", f"signal:invite:{GROUP}", GROUP, None, "groups"),
    ("https://signal.me/#eu/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "signal:account:eu/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
     "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "eu/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "usernames"),
    ("https://signal.me/#p/+4915112345678", "signal:account:+4915112345678", "4915112345678", "+4915112345678", "phone"),
    (f"https://signal.art/addstickers/#pack_id={PACK}&pack_key={PACK_KEY}", f"signal:collection:stickers/{PACK}", PACK, None, "stickers",
     {"secret": PACK_KEY}),
    (f"https://signal.art/addstickers/#pack_key={PACK_KEY}&pack_id={PACK}", f"signal:collection:stickers/{PACK}", PACK, None, "stickers",
     {"secret": PACK_KEY}),
    ("https://signal.me/#eu/AbCd1234", "signal:account:eu/AbCd1234", "AbCd1234", "eu/AbCd1234", "review"),
    ("https://signal.me/#u/lorem.01", "signal:page:signal.me/#u/lorem.01", None, None, "review"),
    ("https://signal.group/#AbCd", "signal:page:signal.group/#AbCd", None, None, "review"),
    ("https://signal.me/", "signal:site:signal.me", None, None, "review"),
    ("https://signal.art/lorem", "signal:page:signal.art/lorem", None, None, "review"),
    (f"https://signal.art/addstickers/%23pack_id%3D{PACK}%26pack_key%3D{PACK_KEY}", f"signal:collection:stickers/{PACK}", PACK, None,
     "encoded", {"secret": PACK_KEY}),
]  # fmt: skip
