"""Viber URL shapes, expected values written by hand (codes and names invented)."""

SOURCES = {
    "invite": "Viber Help, 'Communities knowledge base for admins': share a community or channel link, invite.viber.com/?g2=<code> (older groups ?g=)",
    "chats": "hand-made from Viber's public pages: chats.viber.com/<name>",
}

CODE = "AQBLoremIpsumDolorSitAmet"

CASES = [
    (f"https://invite.viber.com/?g2={CODE}", f"viber:invite:{CODE}", CODE, None, "invite"),
    (f"https://invite.viber.com/?g2={CODE}&lang=en", f"viber:invite:{CODE}", CODE, None, "invite"),
    ("https://invite.viber.com/?g=LoremIpsumDolor", "viber:invite:g/LoremIpsumDolor", "LoremIpsumDolor", None, "invite"),
    ("https://chats.viber.com/loremipsum", "viber:account:loremipsum", None, "loremipsum", "chats"),
]  # fmt: skip
