"""Telegram URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "links": "core.telegram.org/api/links, 'Deep links': t.me and tg: forms of usernames, message links, private message links (/c/), invites, phone numbers, sticker sets, folders, stories",
    "preview": "hand-made: the web preview t.me/s/<name> as analysts paste it, also before or after an invite's marker (issue 20)",
    "subdomain": "core.telegram.org/api/links: <username>.t.me is t.me/<username>",
    "refused": "core.telegram.org/api/links: tg: links that open settings or lack their parameter name no content",
    "capitals": "hand-made: a link written in capitals, as a QR code's alphanumeric mode (no lowercase letters) or caps lock leaves it",
}

POST = "telegram:post:lorem_news/42"
INVITE = "telegram:invite:AbCdEfGhIjKl"
ACCOUNT = "telegram:account:lorem_news"

CASES = [
    ("https://t.me/lorem_news/42", POST, "42", "lorem_news", "links", {"parents": (ACCOUNT,)}),
    ("https://t.me/s/Lorem_News/42", POST, "42", "lorem_news", "preview"),
    ("https://t.me/lorem_news/42?comment=7", POST, "42", "lorem_news", "links"),
    ("https://telegram.me/lorem_news/42?single", POST, "42", "lorem_news", "links"),
    ("https://t.me/c/1234567890/42", "telegram:post:c/1234567890/42", "42", "c/1234567890", "links"),
    ("https://t.me/+AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "links"),
    ("https://t.me/joinchat/AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "links"),
    ("https://t.me/s/+AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "preview"),
    ("https://t.me/s/joinchat/AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "preview"),
    ("https://t.me/joinchat/s/AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "preview"),
    ("https://t.me/+4915112345678", "telegram:account:+4915112345678", None, "+4915112345678", "links"),
    ("https://t.me/lorem_news/s/5", "telegram:post:lorem_news/s/5", "5", "lorem_news", "links"),
    ("https://t.me/addlist/AbCdEf", "telegram:invite:addlist/AbCdEf", "AbCdEf", None, "links"),
    ("https://t.me/addstickers/LoremSet", "telegram:collection:addstickers/LoremSet", "LoremSet", None, "links"),
    ("https://t.me/boost/lorem_news", ACCOUNT, None, "lorem_news", "links"),
    ("https://lorem_news.t.me/", ACCOUNT, None, "lorem_news", "subdomain"),
    ("tg://resolve?domain=lorem_news&post=42", POST, "42", "lorem_news", "links"),
    ("tg://resolve?domain=lorem_news&post=42&thread=7&comment=9", POST, "42", "lorem_news", "links"),
    ("tg:resolve?domain=lorem_news", ACCOUNT, None, "lorem_news", "links"),
    ("tg://resolve?domain=lorem_news&story=5", "telegram:post:lorem_news/s/5", "5", "lorem_news", "links"),
    ("tg://resolve?phone=4915112345678", "telegram:account:+4915112345678", None, "+4915112345678", "links"),
    ("tg://join?invite=AbCdEfGhIjKl", INVITE, "AbCdEfGhIjKl", None, "links"),
    ("tg://privatepost?channel=1234567890&post=42", "telegram:post:c/1234567890/42", "42", "c/1234567890", "links"),
    ("tg://addstickers?set=LoremSet", "telegram:collection:addstickers/LoremSet", "LoremSet", None, "links"),
    ("tg://addlist?slug=AbCdEf", "telegram:invite:addlist/AbCdEf", "AbCdEf", None, "links"),
    ("tg://boost?domain=lorem_news", ACCOUNT, None, "lorem_news", "links"),
    ("tg://share?url=https%3A%2F%2Ft.me%2Florem_news%2F42", POST, "42", "lorem_news", "links"),
    ("https://t.me/msg?url=https%3A%2F%2Ft.me%2Florem_news%2F42", POST, "42", "lorem_news", "links"),
    ("https://t.me/addtheme/LoremTheme", "telegram:collection:addtheme/LoremTheme", "LoremTheme", None, "links"),
    ("HTTPS://T.ME/LOREM_NEWS/42", POST, "42", "lorem_news", "capitals"),
    ("HTTPS://T.ME/S/LOREM_NEWS/42", POST, "42", "lorem_news", "capitals"),
    ("HTTPS://T.ME/ADDSTICKERS/LOREMSET", "telegram:collection:addstickers/LOREMSET", "LOREMSET", None, "capitals"),
]  # fmt: skip

REFUSED = [
    ("tg://settings", "opens no content", "refused"),
    ("tg://resolve?post=42", "domain", "refused"),
    ("tg://join?invite=", "invite", "refused"),
    ("tg://resolve domain", "not one of the tg: links", "refused"),
]
