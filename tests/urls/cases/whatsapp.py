"""WhatsApp URL shapes, expected values written by hand (codes and numbers invented)."""

SOURCES = {
    "click-to-chat": "WhatsApp Help, 'How to use click to chat': wa.me/<number>, api.whatsapp.com/send?phone=<number>",
    "group-link": "WhatsApp Help, 'How to invite to a group via link': chat.whatsapp.com/<code>",
    "channels": "WhatsApp Help, 'How to share a channel' and channel updates: whatsapp.com/channel/<id>, an update whatsapp.com/channel/<id>/<n>",
    "app": "hand-made: the app's own links, whatsapp://send?phone=<number> (WhatsApp FAQ on click to chat) and whatsapp://chat?code=<invite>",
    "business": "WhatsApp Business: short links wa.me/message/<code> and catalogs wa.me/c/<number>",
}

CH = "0029VaLoremIpsumDolorSit12"
PHONE = "4915112345678"

CASES = [
    ("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "whatsapp:invite:AbCdEfGhIjKlMnOpQrStUv", "AbCdEfGhIjKlMnOpQrStUv", None,
     "group-link"),
    ("https://chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv", "whatsapp:invite:AbCdEfGhIjKlMnOpQrStUv", "AbCdEfGhIjKlMnOpQrStUv", None,
     "group-link"),
    (f"https://whatsapp.com/channel/{CH}", f"whatsapp:account:channel/{CH}", None, f"channel/{CH}", "channels"),
    (f"https://www.whatsapp.com/channel/{CH}/123", f"whatsapp:post:channel/{CH}/123", "123", f"channel/{CH}", "channels",
     {"parents": (f"whatsapp:account:channel/{CH}",)}),
    (f"https://wa.me/{PHONE}", f"whatsapp:account:+{PHONE}", PHONE, f"+{PHONE}", "click-to-chat"),
    (f"https://wa.me/{PHONE}?text=Lorem%20ipsum", f"whatsapp:account:+{PHONE}", PHONE, f"+{PHONE}", "click-to-chat"),
    (f"https://api.whatsapp.com/send?phone={PHONE}&text=Lorem", f"whatsapp:account:+{PHONE}", PHONE, f"+{PHONE}", "click-to-chat"),
    ("https://wa.me/message/ABCDEFGHIJKLM1", "whatsapp:page:message/ABCDEFGHIJKLM1", "ABCDEFGHIJKLM1", None, "business",
     {"flags": ("needs_resolution",)}),
    (f"https://wa.me/c/{PHONE}", f"whatsapp:collection:catalog/+{PHONE}", PHONE, f"+{PHONE}", "business"),
    (f"whatsapp://send?phone={PHONE}&text=Lorem", f"whatsapp:account:+{PHONE}", PHONE, f"+{PHONE}", "app"),
    ("whatsapp://chat?code=AbCdEfGhIjKlMnOpQrStUv", "whatsapp:invite:AbCdEfGhIjKlMnOpQrStUv", "AbCdEfGhIjKlMnOpQrStUv", None, "app"),
]  # fmt: skip
