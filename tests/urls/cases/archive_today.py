"""archive.today URL shapes, expected values written by hand (timestamps and ids invented)."""

SOURCES = {
    "snapshots": "archive.today FAQ (archive.ph/faq): a snapshot at archive.ph/<YYYYMMDDhhmmss>/<URL>, also archive.today, archive.is and the other mirrors; /newest/<URL>, /oldest/<URL>",
    "share": "hand-made from archive.today's share links: a snapshot's short id archive.ph/<5 characters> and the dotted timestamp archive.ph/<YYYY.MM.DD-hhmmss>/<URL>",
    "review": "review of issue 20: archive.today/<timestamp>/https://t.me/… was a web page whose canonical URL read https:/t.me",
}

POST = "telegram:post:lorem_news/42"
PARENTS = (POST, "telegram:account:lorem_news")
SNAPSHOT = f"archive_today:page:20240101000000/{POST}"

CASES = [
    ("https://archive.today/20240101000000/https://t.me/lorem_news/42", SNAPSHOT, "42", "lorem_news", "review",
     {"parents": PARENTS, "flags": ("archived_copy",)}),
    ("https://archive.ph/20240101000000/https://t.me/lorem_news/42", SNAPSHOT, "42", "lorem_news", "snapshots", {"parents": PARENTS}),
    ("https://archive.is/20240101000000/https://t.me/lorem_news/42", SNAPSHOT, "42", "lorem_news", "snapshots", {"parents": PARENTS}),
    ("https://archive.ph/2024.01.01-000000/https://t.me/lorem_news/42", SNAPSHOT, "42", "lorem_news", "share", {"parents": PARENTS}),
    ("https://archive.ph/newest/https://www.youtube.com/watch?v=aBcDeFgHi_0", "archive_today:page:newest/youtube:post:aBcDeFgHi_0",
     "aBcDeFgHi_0", None, "snapshots", {"parents": ("youtube:post:aBcDeFgHi_0",)}),
    ("https://archive.ph/https://t.me/lorem_news/42", f"archive_today:page:{POST}", "42", "lorem_news", "snapshots", {"parents": PARENTS}),
    ("https://archive.ph/AbC12", "archive_today:page:AbC12", "AbC12", None, "share"),
]  # fmt: skip
