"""Threads URL shapes, expected values written by hand (names and codes invented)."""

SOURCES = {
    "help": "Instagram Help Centre, 'Copy the link to a Threads post': threads.net/@<user>/post/<code>; profiles threads.net/@<user>",
    "threads-com": "hand-made: threads.com, where Threads moved in 2025, with the same paths; the short form threads.net/t/<code>",
}

CODE = "C1AbCdEfGhI"
POST = f"threads:post:{CODE}"

CASES = [
    (f"https://www.threads.net/@lorem.ipsum/post/{CODE}", POST, CODE, "lorem.ipsum", "help",
     {"parents": ("threads:account:lorem.ipsum",)}),
    (f"https://www.threads.net/@lorem.ipsum/post/{CODE}/media", POST, CODE, "lorem.ipsum", "help"),
    (f"https://www.threads.com/@Lorem.Ipsum/post/{CODE}?xmt=AbCdEf", POST, CODE, "lorem.ipsum", "threads-com"),
    (f"https://www.threads.net/t/{CODE}", POST, CODE, None, "threads-com"),
    ("https://www.threads.net/@lorem.ipsum", "threads:account:lorem.ipsum", None, "lorem.ipsum", "help"),
]  # fmt: skip
