"""Viber URL shapes, expected values written by hand (codes and names invented)."""

SOURCES = {
    "invite": "Viber Help, 'Communities knowledge base for admins': share a community or channel link, invite.viber.com/?g2=<code> (older groups ?g=)",
    "chats": "hand-made from Viber's public pages: chats.viber.com/<name>",
    "review": "review of issue 20: an older group link with an 8-character code (invite.viber.com/?g=<code>), Viber's short links vb.me/<name>, and viber:// deep links (viber://pa?chatURI=<name>, a bot's chat)",
}

CODE = "AQBLoremIpsumDolorSitAmet"

CASES = [
    (f"https://invite.viber.com/?g2={CODE}", f"viber:invite:{CODE}", CODE, None, "invite"),
    (f"https://invite.viber.com/?g2={CODE}&lang=en", f"viber:invite:{CODE}", CODE, None, "invite"),
    ("https://invite.viber.com/?g=LoremIpsumDolor", "viber:invite:g/LoremIpsumDolor", "LoremIpsumDolor", None, "invite"),
    ("https://chats.viber.com/loremipsum", "viber:account:loremipsum", None, "loremipsum", "chats"),
    ("https://invite.viber.com/?g=AbCd1234", "viber:invite:g/AbCd1234", "AbCd1234", None, "review"),
    # vb.me redirects to an invite or a chat: which one is only known after following it.
    ("https://vb.me/loremchannel", "viber:page:vb.me/loremchannel", "loremchannel", None, "review", {"flags": ("needs_resolution",)}),
    ("https://vb.me/a0b1c2", "viber:page:vb.me/a0b1c2", "a0b1c2", None, "review"),
    # A page no rule reads keeps its own host: invite.viber.com/<x> is not viber.com/<x>.
    ("https://invite.viber.com/?lang=en", "viber:page:invite.viber.com/?lang=en", None, None, "review"),
]  # fmt: skip

REFUSED = [
    (
        "viber://pa?chatURI=loremchannel",
        "deep link of an app that takedown does not read",
        "review",
    ),
    ("viber://chat?number=%2B4915112345678", "viber:// is a deep link", "review"),
]
