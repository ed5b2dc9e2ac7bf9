"""Discord URL shapes, expected values written by hand (codes and ids invented)."""

SOURCES = {
    "invites": "Discord Support, 'Invites 101': discord.gg/<code> and discord.com/invite/<code> (formerly discordapp.com)",
    "message-links": "Discord Support, message links ('Copy Message Link'): discord.com/channels/<server>/<channel>/<message>",
    "servers": "hand-made from Discord's server discovery pages: discord.com/servers/<slug>-<server id>",
    "attachments": "Discord developer docs, signed attachment CDN links (2024): cdn.discordapp.com/attachments/<channel>/<file>/<name>?ex=&is=&hm=",
}

G, CH, M, F = "123456789012345678", "234567890123456789", "345678901234567890", "456789012345678901"

CASES = [
    ("https://discord.gg/LoremIpsum", "discord:invite:LoremIpsum", "LoremIpsum", None, "invites"),
    ("https://discord.com/invite/LoremIpsum", "discord:invite:LoremIpsum", "LoremIpsum", None, "invites"),
    ("https://discordapp.com/invite/LoremIpsum", "discord:invite:LoremIpsum", "LoremIpsum", None, "invites"),
    (f"https://discord.com/channels/{G}/{CH}", f"discord:account:{G}/{CH}", None, f"{G}/{CH}", "message-links",
     {"parents": (f"discord:account:{G}",)}),
    (f"https://discord.com/channels/{G}/{CH}/{M}", f"discord:post:{G}/{CH}/{M}", M, f"{G}/{CH}", "message-links",
     {"parents": (f"discord:account:{G}/{CH}",)}),
    (f"https://ptb.discord.com/channels/{G}/{CH}/{M}", f"discord:post:{G}/{CH}/{M}", M, f"{G}/{CH}", "message-links"),
    (f"https://discord.com/channels/{G}", f"discord:account:{G}", None, G, "message-links"),
    (f"https://discord.com/servers/lorem-ipsum-{G}", f"discord:account:{G}", None, G, "servers"),
    (f"https://cdn.discordapp.com/attachments/{CH}/{F}/lorem.mp4?ex=65a1b2c3&is=65a0612e&hm=0123abcd&",
     f"discord:file:attachments/{CH}/{F}", F, None, "attachments"),
    (f"https://media.discordapp.net/attachments/{CH}/{F}/lorem.png?width=400&height=300", f"discord:file:attachments/{CH}/{F}", F, None,
     "attachments"),
]  # fmt: skip
